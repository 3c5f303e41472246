/* SPDX-License-Identifier: ISC */
/*
 * Keeping secrets (AUTH credentials) out of core dumps.  Once a secret has
 * been in memory, copies of it may stay where they cannot all be wiped
 * (the line editor's buffers, freed heap blocks, the TLS library's record
 * buffers), so core dumps are turned off at the first secret and stay off
 * until the process ends.
 */
#ifndef SECRET_H
#define SECRET_H

/*
 * A secret is about to be in memory: set the core file size limit to 0
 * (RLIMIT_CORE, inherited by processes started later) and, on Linux, mark
 * the process not dumpable (PR_SET_DUMPABLE 0: no core file even under
 * fs.suid_dumpable, and no ptrace attach or /proc/PID/mem by other
 * processes of the same user).  Done once; later calls do nothing.
 * Returns 0, or -1 when a call failed (what could be done is done).
 */
int	secret_hold(void);
/* Has secret_hold() been called? */
int	secret_held(void);

#endif
