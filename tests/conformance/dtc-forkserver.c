/*
 * A fork server for the differential fuzzer's long runs (tests/conformance/dtc-fuzz.sh).
 *
 * Preloaded into the unmodified /usr/bin/dtc (LD_PRELOAD), it takes over before dtc's main:
 * for each request line on stdin ("ERRFILE<TAB>arg1<TAB>arg2…"), it forks, and the child runs
 * dtc's own main with those arguments, its stderr in ERRFILE; the exit status (128 + signal
 * when dtc died) comes back as a line on stdout. Each child starts from the state dtc has
 * before main, as a fresh process would, without paying exec and dynamic linking every time
 * (on a loaded 2-core machine that was most of a fuzz case's cost). Not used by mvn verify.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

static main_fn dtc_main;

static int serve(int argc, char **argv, char **envp)
{
	FILE *in = fdopen(dup(0), "r");
	FILE *out = fdopen(dup(1), "w");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	(void)argc;
	while ((n = getline(&line, &cap, in)) > 0) {
		char *args[256], *save = NULL, *t;
		int ac = 0, status;
		pid_t pid;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		char *errfile = strtok_r(line, "\t", &save);
		args[ac++] = argv[0];
		while (ac < 255 && (t = strtok_r(NULL, "\t", &save)) != NULL)
			args[ac++] = t;
		args[ac] = NULL;
		fflush(out);
		pid = fork();
		if (pid == 0) {
			int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			int null = open("/dev/null", O_RDWR);
			dup2(fd, 2);
			dup2(null, 1);
			dup2(null, 0);
			close(fd);
			close(null);
			exit(dtc_main(ac, args, envp));
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			status = 255 << 8;
		fprintf(out, "%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		fflush(out);
	}
	return 0;
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end)
{
	start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");

	dtc_main = main;
	return real(serve, argc, argv, init, fini, rtld_fini, stack_end);
}
