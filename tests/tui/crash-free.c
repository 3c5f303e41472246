/* SPDX-License-Identifier: ISC */
/*
 * Preloaded by tests/tui/crash.sh: a free() that, once SIGUSR2 has armed
 * it, crashes (SIGSEGV) while it holds its own lock, as a crash inside
 * malloc with the heap corrupted does.  A crash handler that calls free()
 * again then waits for that lock for ever; one that keeps to
 * async-signal-safe calls does not.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

static pthread_mutex_t		 crash_free_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t	 crash_free_armed;
static void			(*crash_free_real)(void *);

/* SIGUSR2: crash in the next free(). */
static void
crash_free_arm(int sig)
{
	(void)sig;
	crash_free_armed = 1;
}

/* Find the real free() and listen for SIGUSR2. */
__attribute__((constructor)) static void
crash_free_init(void)
{
	struct sigaction	sa;

	crash_free_real = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_free_arm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
}

/* free(), under a lock that a crash inside it leaves held. */
void
free(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&crash_free_lock);
	if (crash_free_armed) {
		crash_free_armed = 0;
		raise(SIGSEGV);
	}
	if (crash_free_real != NULL)
		crash_free_real(p);
	pthread_mutex_unlock(&crash_free_lock);
}
