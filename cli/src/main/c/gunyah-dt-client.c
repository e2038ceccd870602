/*
 * gunyah-dt-client: the launcher's thin client of the resident gunyah-dt process (Resident.java,
 * which documents the protocol). A C program, not a JVM, so that one call per file costs what the
 * check costs; it does in one process what the launcher would need several for. Built by the
 * launcher with the system's cc on first use.
 *
 *   gunyah-dt-client [--fresh ROOT] BASE JAR IDLE_SECONDS JAVA_ARG... -- ARG...
 *
 * The resident process for this jar (its path, time and size), working directory, JVM command and
 * environment lives in BASE/<hash>, a directory of the user's own closed to others (BASE too). The
 * client connects to its socket, starting it (JAVA_ARG... --resident DIR IDLE_SECONDS, in its own
 * session) when none answers, sends the token from DIR/token, the working directory and the
 * arguments, then copies the answer's stdout and stderr frames to fds 1 and 2 and exits with its
 * status. Exit 200: the request was not served and nothing was printed (the launcher then runs the
 * command in its own JVM). With --fresh ROOT it first checks, by the rule of the launcher's stale()
 * (which runs find), that no source of the checkout ROOT is newer than JAR, and exits 201 when one
 * is (the launcher then rebuilds): the launcher's per-file path costs no find process.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>

enum { NOT_SERVED = 200, STALE = 201 };

/* What the resident process's behaviour depends on besides its command line and directory. */
static const char *const ENV_KEYS[] = { "XDG_CACHE_HOME", "HOME", "PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", NULL };

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL; /* a separator, so "ab","c" and "a","bc" differ */
}

/* dir exists (made 0700 when missing), is a directory, ours, and closed to others. */
static int private_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return -1;
	return 0;
}

static int send_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int send_string(int fd, const char *s)
{
	return send_all(fd, s, strlen(s) + 1);
}

/* The token, or NULL: DIR/token must be a regular file of ours that others cannot read. */
static char *read_token(const char *dir)
{
	static char token[128];
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/token", dir);
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
		close(fd);
		return NULL;
	}
	ssize_t n = read(fd, token, sizeof token - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	token[n] = '\0';
	return token;
}

static int connect_once(const char *dir)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/socket", dir) >= sizeof addr.sun_path)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* JAVA_ARG... --resident DIR IDLE, in its own session, output to DIR/log; not waited for. */
static void start_resident(const char *dir, const char *idle, char **java, int njava)
{
	pid_t pid = fork();
	if (pid != 0)
		return;
	setsid();
	char log[4096];
	snprintf(log, sizeof log, "%s/log", dir);
	int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	int in = open("/dev/null", O_RDONLY);
	if (out < 0 || in < 0)
		_exit(2);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	char **argv = calloc((size_t)njava + 4, sizeof *argv);
	if (argv == NULL)
		_exit(2);
	memcpy(argv, java, (size_t)njava * sizeof *argv);
	argv[njava] = "--resident";
	argv[njava + 1] = (char *)dir;
	argv[njava + 2] = (char *)idle;
	execvp(argv[0], argv);
	_exit(2);
}

/* Connected to DIR/socket with its token in *token, retrying for wait_ms; -1 when none answers. */
static int connect_resident(const char *dir, long wait_ms, char **token)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int fd;
		*token = read_token(dir);
		if (*token != NULL && (fd = connect_once(dir)) >= 0)
			return fd;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= wait_ms)
			return -1;
		struct timespec pause = { 0, 20 * 1000000 };
		nanosleep(&pause, NULL);
	}
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

static int newer(const struct stat *st, const struct timespec *than)
{
	return st->st_mtim.tv_sec > than->tv_sec || (st->st_mtim.tv_sec == than->tv_sec && st->st_mtim.tv_nsec > than->tv_nsec);
}

/*
 * Whether an entry under the folder PATH (open as fd) is newer than *jar, by the launcher's
 * stale() rule: a *.java, *.g4 or pom.xml, or anything under a src/main/resources folder, with a
 * later modification time (find -newer), symbolic links not followed. 1 newer, 0 not, -1 a folder
 * that cannot be read.
 */
static int newer_under(int fd, char *path, size_t len, size_t cap, const struct timespec *jar)
{
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	int found = 0;
	struct dirent *e;
	while (found == 0 && (e = readdir(d)) != NULL) {
		const char *name = e->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		size_t n = strlen(name);
		if (len + 1 + n + 1 > cap)
			return closedir(d), -1;
		path[len] = '/';
		memcpy(path + len + 1, name, n + 1);
		int dir = e->d_type == DT_DIR;
		int wanted = ends_with(name, ".java") || ends_with(name, ".g4") || strcmp(name, "pom.xml") == 0
			     || strstr(path, "/src/main/resources/") != NULL;
		if (wanted || e->d_type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			dir = S_ISDIR(st.st_mode);
			found = wanted && newer(&st, jar);
		}
		if (found == 0 && dir) {
			int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			found = sub < 0 ? -1 : newer_under(sub, path, len + 1 + n, cap, jar);
		}
	}
	closedir(d);
	return found;
}

/*
 * Whether the checkout ROOT has a source newer than JAR, by the launcher's stale() rule: ROOT's
 * pom.xml and each module's (ROOT/ x /pom.xml, hidden folders left out as a shell glob leaves
 * them), and what newer_under finds under each ROOT/ x /src/main. Either missing or unreadable:
 * stale (rebuilding decides).
 */
static int stale(const char *root, const char *jar)
{
	struct stat jst, st;
	char path[8192];
	if (stat(jar, &jst) != 0 || strlen(root) + 300 >= sizeof path)
		return 1;
	snprintf(path, sizeof path, "%s/pom.xml", root);
	if (stat(path, &st) == 0 && newer(&st, &jst.st_mtim))
		return 1;
	DIR *d = opendir(root);
	if (d == NULL)
		return 1;
	int found = 0;
	struct dirent *e;
	while (found == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN && e->d_type != DT_LNK)
		    || strlen(e->d_name) > 200)
			continue;
		snprintf(path, sizeof path, "%s/%s/pom.xml", root, e->d_name);
		if (stat(path, &st) == 0 && newer(&st, &jst.st_mtim)) {
			found = 1;
			break;
		}
		/* matched as find matches it: the path from "/<module>/src/main" on */
		int len = snprintf(path, sizeof path, "/%s/src/main", e->d_name);
		int fd = openat(dirfd(d), path + 1, O_RDONLY | O_DIRECTORY);
		if (fd >= 0)
			found = newer_under(fd, path, (size_t)len, sizeof path, &jst.st_mtim) != 0;
	}
	closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	const char *root = NULL;
	if (argc > 2 && strcmp(argv[1], "--fresh") == 0) {
		root = argv[2];
		argv += 2;
		argc -= 2;
	}
	int sep = 4;
	while (sep < argc && strcmp(argv[sep], "--") != 0)
		sep++;
	if (argc < 5 || sep >= argc - 1) {
		fprintf(stderr, "usage: gunyah-dt-client [--fresh ROOT] BASE JAR IDLE_SECONDS JAVA_ARG... -- ARG...\n");
		return 2;
	}
	const char *base = argv[1], *jar = argv[2], *idle = argv[3];
	if (root != NULL && stale(root, jar))
		return STALE;
	signal(SIGPIPE, SIG_IGN); /* a closed stdout or socket is an error to handle, as the JVM has it */
	char cwd[4096];
	struct stat st;
	if (getcwd(cwd, sizeof cwd) == NULL || stat(jar, &st) != 0 || private_dir(base) != 0)
		return NOT_SERVED;

	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv1a(h, jar, strlen(jar));
	h = fnv1a(h, &st.st_mtim, sizeof st.st_mtim);
	h = fnv1a(h, &st.st_size, sizeof st.st_size);
	h = fnv1a(h, cwd, strlen(cwd));
	for (int i = 4; i < sep; i++)
		h = fnv1a(h, argv[i], strlen(argv[i]));
	for (int i = 0; ENV_KEYS[i] != NULL; i++) {
		const char *v = getenv(ENV_KEYS[i]);
		h = fnv1a(h, v ? "=" : "-", 1);
		if (v)
			h = fnv1a(h, v, strlen(v));
	}
	char dir[4096];
	if ((size_t)snprintf(dir, sizeof dir, "%s/%016llx", base, (unsigned long long)h) >= sizeof dir || private_dir(dir) != 0)
		return NOT_SERVED;

	char *token;
	int fd = connect_resident(dir, 0, &token);
	if (fd < 0) {
		start_resident(dir, idle, argv + 4, sep - 4);
		fd = connect_resident(dir, 60000, &token);
		if (fd < 0)
			return NOT_SERVED;
	}

	const char *terminal = isatty(0) && isatty(1) ? "1" : "0";
	if (send_string(fd, "gunyah-dt-resident 1") || send_string(fd, token) || send_string(fd, cwd)
	    || send_string(fd, terminal))
		return NOT_SERVED;
	for (int i = sep + 1; i < argc; i++)
		if (send_string(fd, argv[i]))
			return NOT_SERVED;
	shutdown(fd, SHUT_WR);

	int printed = 0;
	char *buf = NULL;
	for (;;) {
		unsigned char head[5];
		if (recv_all(fd, head, sizeof head) != 0)
			break;
		uint32_t len = (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 | head[4];
		if (len > (1u << 30))
			break;
		buf = realloc(buf, len ? len : 1);
		if (buf == NULL || recv_all(fd, buf, len) != 0)
			break;
		if (head[0] == 'x' && len == 4) {
			unsigned char *b = (unsigned char *)buf;
			return (int)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
		}
		if (head[0] == '1' || head[0] == '2') {
			printed = 1;
			send_all(head[0] == '1' ? 1 : 2, buf, len);
		}
	}
	if (!printed)
		return NOT_SERVED;
	fprintf(stderr, "gunyah-dt: the resident process stopped before it finished; run again with GUNYAH_DT_RESIDENT=0\n");
	return 2;
}
