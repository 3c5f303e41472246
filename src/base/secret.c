/* SPDX-License-Identifier: ISC */
/*
 * Core dumps off once a secret has been in memory.
 *
 * Why not turn them back on once the secret is sent: the password also
 * went through the front end (readline's line and undo buffers, the
 * terminal's input, a --script file's stdio buffer) and through freed heap
 * blocks and OpenSSL's buffers, none of which can be proven clean, so a
 * core file written later in the run could still hold it.  The cost is no
 * core file for a crash after an AUTH exchange.
 */
#include "config.h"

#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "base/log.h"
#include "base/secret.h"

static int	secret_done;

/* Turn core dumps off for good. */
int
secret_hold(void)
{
	struct rlimit	rl;
	int		r = 0;

	if (secret_done)
		return (0);
	secret_done = 1;
	if (getrlimit(RLIMIT_CORE, &rl) == -1)
		r = -1;
	else if (rl.rlim_cur != 0) {
		rl.rlim_cur = 0;
		if (setrlimit(RLIMIT_CORE, &rl) == -1)
			r = -1;
	}
#ifdef PR_SET_DUMPABLE
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		r = -1;
#endif
	log_debug("%s: core dumps off for the rest of the run%s", __func__,
	    r == -1 ? " (not all of it could be done)" : "");
	return (r);
}

/* Is it done? */
int
secret_held(void)
{
	return (secret_done);
}
