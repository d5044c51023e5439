/*
 * tap.h - a tiny TAP producer for the unit tests, header-only.
 *
 * Each assertion prints "ok N - description" or "not ok N - description"
 * on stdout; diag() prints "# ..." lines.  Every program declares its
 * count up front with plan(N), N a number written in the program, not
 * computed from its tables: a program that stops early prints fewer
 * results than "1..N" (automake's driver reports the error), and one whose
 * table came out empty or short ends with a count done_testing() rejects.
 * done_testing() returns the exit status for main: 0 only if a plan was
 * declared, exactly that many assertions ran and every one passed.
 * Descriptions are printed on one line with control bytes escaped and '#'
 * escaped, so an input under test never forges a TAP directive.
 */
#ifndef GHAUTH_TAP_H
#define GHAUTH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_UNUSED	__attribute__((unused))

static int	 tap_count;
static int	 tap_failures;
static int	 tap_planned = -1;

static TAP_UNUSED void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* Prints s with control bytes as \xHH and '#' as "\#". */
static void
tap_print_escaped(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else if (*p == '#')
			fputs("\\#", stdout);
		else
			putchar(*p);
	}
}

static int	 tap_vok(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static int
tap_vok(int cond, const char *fmt, va_list ap)
{
	char	 desc[512];

	vsnprintf(desc, sizeof(desc), fmt, ap);
	tap_count++;
	if (!cond)
		tap_failures++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	tap_print_escaped(desc);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static TAP_UNUSED int	 ok(int, const char *, ...)
			    __attribute__((format(printf, 2, 3)));

static TAP_UNUSED int
ok(int cond, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

static TAP_UNUSED void	 diag(const char *, ...)
			    __attribute__((format(printf, 1, 2)));

static TAP_UNUSED void
diag(const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fputs("# ", stdout);
	tap_print_escaped(line);
	putchar('\n');
	fflush(stdout);
}

static TAP_UNUSED int	 is_int(long long, long long, const char *, ...)
			    __attribute__((format(printf, 3, 4)));

static TAP_UNUSED int
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (!r) {
		diag("   got: %lld", got);
		diag("  want: %lld", want);
	}
	return r;
}

static TAP_UNUSED int	 is_str(const char *, const char *, const char *, ...)
			    __attribute__((format(printf, 3, 4)));

/* Compares two strings; NULL equals only NULL. */
static TAP_UNUSED int
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = tap_vok(got == want || (got != NULL && want != NULL &&
	    strcmp(got, want) == 0), fmt, ap);
	va_end(ap);
	if (!r) {
		diag("   got: %s%s%s", got ? "\"" : "", got ? got : "NULL",
		    got ? "\"" : "");
		diag("  want: %s%s%s", want ? "\"" : "", want ? want : "NULL",
		    want ? "\"" : "");
	}
	return r;
}

static TAP_UNUSED void	 skip(const char *, ...)
			    __attribute__((format(printf, 1, 2)));

/* Records one skipped assertion ("ok N # SKIP reason"). */
static TAP_UNUSED void
skip(const char *fmt, ...)
{
	char	 why[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	tap_count++;
	printf("ok %d # SKIP ", tap_count);
	tap_print_escaped(why);
	putchar('\n');
	fflush(stdout);
}

/*
 * s[0..n) made printable for a description: bytes outside printable ASCII
 * (NUL included) as \xHH, long inputs cut with "...".  Returns one of four
 * static buffers, so up to four results can be used in one call.
 */
static TAP_UNUSED const char *
tap_quote(const void *s, size_t n)
{
	static char	 buf[4][160];
	static int	 which;
	const unsigned char *p = s;
	char		*o = buf[which = (which + 1) % 4];
	size_t		 i, len = 0;

	for (i = 0; i < n && len + 8 < sizeof(buf[0]); i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f)
			len += (size_t)snprintf(o + len, sizeof(buf[0]) - len,
			    "\\x%02x", p[i]);
		else
			o[len++] = (char)p[i];
	}
	if (i < n) {
		memcpy(o + len, "...", 3);
		len += 3;
	}
	o[len] = '\0';
	return o;
}

/* Checks the count against the plan; returns main's exit status. */
static TAP_UNUSED int
done_testing(void)
{
	if (tap_planned < 0) {
		/* Still valid TAP, so the driver shows what ran - and fails. */
		printf("1..%d\n", tap_count);
		diag("no plan: call plan(N) at the start of main");
		tap_failures++;
	} else if (tap_planned != tap_count) {
		diag("planned %d tests but ran %d", tap_planned, tap_count);
		tap_failures++;
	}
	fflush(stdout);
	return tap_failures == 0 ? 0 : 1;
}

#endif /* GHAUTH_TAP_H */
