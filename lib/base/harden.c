/*
 * harden.c - the process state every ghauth program starts with, before it
 * reads any input: umask 077, no core dumps, no same-uid ptrace or environ
 * reads (not dumpable), SIGPIPE ignored (a closed client is a write error,
 * not a death), and SIGXFSZ ignored, so that a file-size limit (systemd's
 * LimitFSIZE=) fails the store's write with EFBIG, answered 503 like a
 * full disk, instead of killing the program in the middle of it
 * (docs/SECURITY.md, promise 16).  What changed is saved, so that the
 * guard can give a script it runs the state the server meant it to have.
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "ghauth-int.h"

void
ghauthp_harden(struct ghauthp_saved *sv)
{
	struct rlimit	 rl = { 0, 0 };

	sv->umask = umask(077);
	sv->core_ok = getrlimit(RLIMIT_CORE, &sv->core) == 0;
	sv->sigpipe = signal(SIGPIPE, SIG_IGN);
	sv->sigxfsz = signal(SIGXFSZ, SIG_IGN);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Only the soft limit: a lowered hard limit could not be given back
	 * to a script (not dumpable already means no core file). */
	if (sv->core_ok)
		rl.rlim_max = sv->core.rlim_max;
	(void)setrlimit(RLIMIT_CORE, &rl);
}

/*
 * Before the guard runs a script: the state the server gave the guard.  An
 * ignored signal would stay ignored across execve(2); dumpable is reset by
 * execve itself.
 */
void
ghauthp_unharden(const struct ghauthp_saved *sv)
{
	signal(SIGPIPE, sv->sigpipe == SIG_IGN ? SIG_IGN : SIG_DFL);
	signal(SIGXFSZ, sv->sigxfsz == SIG_IGN ? SIG_IGN : SIG_DFL);
	umask(sv->umask);
	if (sv->core_ok)
		(void)setrlimit(RLIMIT_CORE, &sv->core);
}
