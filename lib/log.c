/*
 * log.c - one-line messages to stderr, which a CGI server puts in its error
 * log.  Callers never pass secrets, tokens, codes or states; a token is
 * named by ghauthp_token_tag() at most.  Control bytes are replaced so a
 * hostile value cannot forge log lines.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ghauth-int.h"

static char	 progname[32] = "ghauth";

void
ghauth_log_init(const char *name)
{
	snprintf(progname, sizeof(progname), "%s", name);
}

void
ghauth_log(const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n, m;
	size_t	 i, len;

	n = snprintf(line, sizeof(line), "ghauth[%s]: ", progname);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
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
