/*
 * cabin's output files (src/trace/outfile.c): bound before the run, named
 * at the end relative to the directory opened then; what the program may
 * do to the path in between (a symlink at the name, a directory at the
 * name, the directory removed or moved) never redirects the record, and
 * every failure keeps it where the message says.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "trace/outfile.h"

static char top[PATH_MAX];
static char base[PATH_MAX - 64];	/* $TMPDIR when the tests start */

/* A fresh directory per test, with out/ in it; TMPDIR points there. */
static int setup(void **state)
{
	char out[PATH_MAX + 8];

	(void)state;
	snprintf(top, sizeof(top), "%s/cabin-outfile.XXXXXX", base);
	if (!mkdtemp(top))
		return -1;
	snprintf(out, sizeof(out), "%s/out", top);
	setenv("TMPDIR", top, 1);
	return mkdir(out, 0755);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static char *at(const char *rel)
{
	static char buf[4][PATH_MAX + 64];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, PATH_MAX + 64, "%s/%s", top, rel);
	return p;
}

static void record(struct cabin_outfile *o, const char *text)
{
	assert_int_equal(write(o->fd, text, strlen(text)), (ssize_t)strlen(text));
}

static void assert_file(const char *path, const char *text)
{
	char buf[256] = "";
	int fd = open(path, O_RDONLY | O_NOFOLLOW);

	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) >= 0);
	close(fd);
	assert_string_equal(buf, text);
}

/* Opens path as the report, writes text; returns place()'s result. */
static int run_place(const char *path, const char *text,
		     void (*meddle)(void), char *msg, size_t len)
{
	struct cabin_outfile o;
	FILE *log = fmemopen(msg, len, "w");
	int err;

	assert_non_null(log);
	setvbuf(log, NULL, _IONBF, 0);
	assert_int_equal(cabin_outfile_open(&o, path, "report",
					    CABIN_OUTFILE_SAFE, log), 0);
	/* Unnamed while the program would run. */
	assert_int_equal(access(path, F_OK), -1);
	record(&o, text);
	if (meddle)
		meddle();
	err = cabin_outfile_place(&o, log);
	cabin_outfile_close(&o);
	fclose(log);
	return err;
}

static void test_placed(void **state)
{
	char msg[512] = "";

	(void)state;
	assert_int_equal(run_place(at("out/r.json"), "{}\n", NULL, msg,
				   sizeof(msg)), 0);
	assert_file(at("out/r.json"), "{}\n");
	assert_string_equal(msg, "");
}

static void plant_symlink(void)
{
	assert_int_equal(symlink(at("elsewhere"), at("out/r.json")), 0);
}

static void test_symlink_at_name_replaced(void **state)
{
	char msg[512] = "";

	(void)state;
	assert_int_equal(run_place(at("out/r.json"), "{}\n", plant_symlink,
				   msg, sizeof(msg)), 0);
	assert_file(at("out/r.json"), "{}\n");
	assert_int_equal(access(at("elsewhere"), F_OK), -1);
}

static void plant_directory(void)
{
	assert_int_equal(mkdir(at("out/r.json"), 0755), 0);
}

static void test_directory_at_name_kept(void **state)
{
	char msg[512] = "", want[PATH_MAX + 64];

	(void)state;
	assert_int_equal(run_place(at("out/r.json"), "{}\n", plant_directory,
				   msg, sizeof(msg)), -EISDIR);
	snprintf(want, sizeof(want), "it is kept in %s.tmp.%d\n",
		 at("out/r.json"), (int)getpid());
	assert_non_null(strstr(msg, want));
	snprintf(want, sizeof(want), "%s.tmp.%d", at("out/r.json"),
		 (int)getpid());
	assert_file(want, "{}\n");
}

static void swap_removed(void)
{
	assert_int_equal(rmdir(at("out")), 0);
	assert_int_equal(mkdir(at("watched"), 0755), 0);
	assert_int_equal(symlink(at("watched"), at("out")), 0);
}

static void test_directory_removed_rescued(void **state)
{
	char msg[512] = "", *kept;

	(void)state;
	assert_int_equal(run_place(at("out/r.json"), "{}\n", swap_removed,
				   msg, sizeof(msg)), -ENOENT);
	assert_int_equal(access(at("watched/r.json"), F_OK), -1);
	kept = strstr(msg, "it is kept in ");
	assert_non_null(kept);
	kept += strlen("it is kept in ");
	kept[strcspn(kept, "\n")] = '\0';
	assert_int_equal(strncmp(kept, top, strlen(top)), 0);
	assert_file(kept, "{}\n");
}

static void swap_moved(void)
{
	assert_int_equal(rename(at("out"), at("moved")), 0);
	assert_int_equal(mkdir(at("watched"), 0755), 0);
	assert_int_equal(symlink(at("watched"), at("out")), 0);
}

static void test_directory_moved_said(void **state)
{
	char msg[512] = "";

	(void)state;
	assert_int_equal(run_place(at("out/r.json"), "{}\n", swap_moved, msg,
				   sizeof(msg)), -EXDEV);
	assert_int_equal(access(at("watched/r.json"), F_OK), -1);
	assert_non_null(strstr(msg, at("moved/r.json")));
	assert_file(at("moved/r.json"), "{}\n");
}

static void test_refused_up_front(void **state)
{
	struct cabin_outfile o;
	FILE *log = fopen("/dev/null", "w");

	(void)state;
	assert_int_equal(cabin_outfile_open(&o, at("nodir/r.json"), "report",
					    CABIN_OUTFILE_SAFE, log), -ENOENT);
	cabin_outfile_close(&o);
	assert_int_equal(cabin_outfile_open(&o, at("out"), "report",
					    CABIN_OUTFILE_SAFE, log), -EISDIR);
	cabin_outfile_close(&o);
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	assert_int_equal(cabin_outfile_open(&o, at("fifo"), "trace",
					    CABIN_OUTFILE_SAFE, log), -EPERM);
	cabin_outfile_close(&o);
	fclose(log);
}

static void plant_temporary_name(void)
{
	char tmp[PATH_MAX + 64];

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", at("out/r.json"),
		 (int)getpid());
	assert_int_equal(symlink(at("elsewhere"), tmp), 0);
}

static void test_temporary_name_taken(void **state)
{
	char msg[512] = "";

	(void)state;
	assert_int_equal(run_place(at("out/r.json"), "{}\n",
				   plant_temporary_name, msg, sizeof(msg)), 0);
	assert_file(at("out/r.json"), "{}\n");
	assert_int_equal(access(at("elsewhere"), F_OK), -1);
}

static void test_user_symlink_followed(void **state)
{
	char msg[512] = "";

	(void)state;
	assert_int_equal(symlink("out/real.json", at("link.json")), 0);
	assert_int_equal(run_place(at("link.json"), "{}\n", NULL, msg,
				   sizeof(msg)), 0);
	assert_file(at("out/real.json"), "{}\n");
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_placed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_at_name_replaced,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_at_name_kept,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_removed_rescued,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_moved_said,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_up_front, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_temporary_name_taken,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_symlink_followed,
						setup, teardown),
	};

	snprintf(base, sizeof(base), "%s", tmpdir && *tmpdir ? tmpdir : "/tmp");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
