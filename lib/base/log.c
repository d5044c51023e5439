/*
 * log.c - one-line messages to stderr, which a CGI server puts in its error
 * log.  Callers never pass secrets, tokens, codes or states; a token is
 * named by ghauthp_token_tag() at most.  Control bytes are replaced so a
 * hostile value cannot forge log lines.
 *
 * A line starts with an ISO 8601 UTC time only when stderr is a regular
 * file: that is where nobody else adds one (lighttpd's server.breakagelog,
 * Apache's ErrorLog handed to a CGI or mod_fcgid process as it is, a
 * spawn-fcgi loop's "exec 2>>FILE").  A pipe or a socket has a reader that
 * stamps each line itself (the journal, nginx's error log through
 * fcgiwrap -f, Apache's mod_cgid when it relays the lines), and a terminal
 * has a person watching.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ghauth-int.h"

static char	 progname[32] = "ghauth";

void
ghauthp_log_init(const char *name)
{
	snprintf(progname, sizeof(progname), "%s", name);
}

/*
 * Writes "YYYY-MM-DDTHH:MM:SSZ " into buf (at least 22 bytes) when stderr
 * is a regular file; returns its length, 0 otherwise (or when the clock or
 * the conversion fails: a line without a time beats no line).
 */
static size_t
log_stamp(char *buf, size_t size)
{
	struct stat	 st;
	struct tm	 tm;
	time_t		 now;

	if (fstat(STDERR_FILENO, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	if ((now = time(NULL)) == (time_t)-1 || gmtime_r(&now, &tm) == NULL)
		return 0;
	return strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ ", &tm);
}

void
ghauthp_log(const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n, m;
	size_t	 i, len, t;

	t = log_stamp(line, sizeof(line));
	n = snprintf(line + t, sizeof(line) - t, "ghauth[%s]: ", progname);
	if (n < 0 || (size_t)n >= sizeof(line) - t)
		return;
	n += (int)t;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	len = strlen(line);
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	(void)write(STDERR_FILENO, line, len);
}
