/*
 * test-log.c - the log line's shape where it lands: with an ISO 8601 UTC
 * time in front when stderr is a regular file (lighttpd's breakage log,
 * Apache's error log as the programs get it, a spawn-fcgi loop's file),
 * without one on a pipe (the journal, fcgiwrap -f, a relaying server: they
 * stamp the line themselves); the ghauth[program] tag, control bytes
 * replaced, one line per call, either way.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ghauth-int.h"
#include "tap.h"

/* Runs ghauthp_log with stderr on fd; returns what was read back. */
static void
log_to(int fd, char *out, size_t size, int readfd)
{
	int	 saved;
	ssize_t	 n;

	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	ghauthp_log("hello %s", "a\nb");
	dup2(saved, STDERR_FILENO);
	close(saved);
	if (readfd == fd)
		(void)lseek(readfd, 0, SEEK_SET);
	n = read(readfd, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
}

static int
matches(const char *s, const char *re)
{
	regex_t	 r;
	int	 rc;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	rc = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return rc;
}

int
main(void)
{
	char	 path[] = "/tmp/ghauth-test-log-XXXXXX";
	char	 buf[2048], want[32];
	int	 fd, p[2];
	time_t	 before, after;
	struct tm tm;

	plan(3);
	ghauthp_log_init("unit");

	/* A regular file: a time, then the tag. */
	if ((fd = mkstemp(path)) == -1) {
		ok(0, "mkstemp");
		return done_testing();
	}
	unlink(path);
	before = time(NULL);
	log_to(fd, buf, sizeof(buf), fd);
	after = time(NULL);
	ok(matches(buf, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z "
	    "ghauth\\[unit\\]: hello a\\?b\n$"),
	    "a file gets \"YYYY-MM-DDTHH:MM:SSZ ghauth[unit]: ...\": %s", buf);
	gmtime_r(&before, &tm);
	strftime(want, sizeof(want), "%Y-%m-%dT%H:%M", &tm);
	if (strncmp(buf, want, strlen(want)) != 0) {
		gmtime_r(&after, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M", &tm);
	}
	ok(strncmp(buf, want, strlen(want)) == 0,
	    "the time is now, in UTC (%s)", want);
	close(fd);

	/* A pipe: the reader stamps it; the line starts with the tag. */
	if (pipe(p) == -1) {
		ok(0, "pipe");
		return done_testing();
	}
	log_to(p[1], buf, sizeof(buf), p[0]);
	ok(strcmp(buf, "ghauth[unit]: hello a?b\n") == 0,
	    "a pipe gets no time: %s", buf);
	close(p[0]);
	close(p[1]);
	return done_testing();
}
