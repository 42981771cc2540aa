// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the log's styles (user/common/log.c) and sd_notify (user/common/notify.c).
 * fd 2 is a temp file the test reads back: with JOURNAL_STREAM naming its dev:inode, a daemon's
 * lines carry <N> priorities and neither name nor time; with JOURNAL_STREAM naming another file
 * (a child's redirected stderr) or absent, they carry an ISO 8601 UTC stamp and the name; a
 * command's are plain. NOTIFY_SOCKET names a datagram socket the test owns, path or abstract.
 */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/notify.h"

static int saved_stderr = -1;

/* fd 2 becomes a fresh temp file; returns its FILE for reading back. */
static FILE *capture(void)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	fflush(stderr);
	if (saved_stderr < 0)
		saved_stderr = dup(2);
	assert_int_equal(dup2(fileno(f), 2), 2);
	return f;
}

/* fd 2 back to the terminal; returns what was written to the capture. */
static char *release(FILE *f, char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void set_journal_stream(int fd)
{
	struct stat st;
	char v[64];

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
}

static void log_all(void)
{
	pr_err("backend %s down", "192.0.2.11:80");
	pr_warn("a warning");
	pr_info("ready");
	pr_debug("a detail");
}

static void test_journal_gets_priorities(void **state)
{
	FILE *f = capture();
	char buf[512];

	(void)state;
	set_journal_stream(2);
	xlb_log_init("xlbd", XLB_LOG_DEBUG);
	assert_int_equal(xlb_log_daemon(), XLB_LOG_JOURNAL);
	log_all();
	assert_string_equal(release(f, buf, sizeof(buf)),
			    "<3>error: backend 192.0.2.11:80 down\n<4>warning: a warning\n"
			    "<6>ready\n<7>debug: a detail\n");
}

static void match(const char *text, const char *re)
{
	regex_t rx;
	int ret;

	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	ret = regexec(&rx, text, 0, NULL, 0);
	regfree(&rx);
	if (ret)
		fail_msg("'%s' does not match '%s'", text, re);
}

#define STAMP "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "

/* A stderr that is not the one systemd named (a notify script's file, a terminal) is stamped. */
static void test_other_file_gets_stamps(void **state)
{
	FILE *f = capture();
	char buf[512];

	(void)state;
	set_journal_stream(saved_stderr);
	xlb_log_init("xlbd", XLB_LOG_INFO);
	assert_false(xlb_log_to_journal());
	assert_int_equal(xlb_log_daemon(), XLB_LOG_STAMPED);
	log_all();
	match(release(f, buf, sizeof(buf)), "^" STAMP "xlbd: error: backend 192.0.2.11:80 down\n"
	      STAMP "xlbd: warning: a warning\n" STAMP "xlbd: ready\n$");
}

static void test_no_or_bad_env_gets_stamps(void **state)
{
	static const char *const bad[] = { "", "12", "12:", "1:2:3", "x:y", "1:2 " };
	FILE *f = capture();
	char buf[512];
	size_t i;

	(void)state;
	unsetenv("JOURNAL_STREAM");
	assert_false(xlb_log_to_journal());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("JOURNAL_STREAM", bad[i], 1);
		assert_false(xlb_log_to_journal());
	}
	unsetenv("JOURNAL_STREAM");
	xlb_log_init("xlbd", XLB_LOG_INFO);
	assert_int_equal(xlb_log_daemon(), XLB_LOG_STAMPED);
	pr_warn("x");
	match(release(f, buf, sizeof(buf)), "^" STAMP "xlbd: warning: x\n$");
}

/* A command never calls xlb_log_daemon(): even into the journal its lines are as a terminal's. */
static void test_command_is_plain(void **state)
{
	FILE *f = capture();
	char buf[512];

	(void)state;
	set_journal_stream(2);
	xlb_log_init("xlbctl", XLB_LOG_INFO);
	log_all();
	assert_string_equal(release(f, buf, sizeof(buf)),
			    "xlbctl: error: backend 192.0.2.11:80 down\nxlbctl: warning: a warning\n"
			    "xlbctl: ready\n");
	unsetenv("JOURNAL_STREAM");
}

static int bound_socket(struct sockaddr_un *sa, const char *name)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len;

	assert_true(fd >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", name);
	len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	else
		unlink(name);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, len), 0);
	return fd;
}

static void recv_msg(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	assert_true(n > 0);
	buf[n] = '\0';
}

static void test_notify(void **state)
{
	char path[64], abs[64], buf[256];
	struct sockaddr_un sa;
	int fd;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(xlb_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(xlb_notify("READY=1"), -EINVAL);

	snprintf(path, sizeof(path), "/tmp/xlb-test-notify.%d", (int)getpid());
	fd = bound_socket(&sa, path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(xlb_notify("READY=1"), 1);
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1");
	assert_int_equal(xlb_notify_reloading(), 1);
	recv_msg(fd, buf, sizeof(buf));
	match(buf, "^RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*$");
	close(fd);
	unlink(path);
	/* Nobody listening any more: the error comes back, for xlbd to log. */
	assert_int_equal(xlb_notify("STOPPING=1"), -ENOENT);

	snprintf(abs, sizeof(abs), "@xlb-test-notify.%d", (int)getpid());
	fd = bound_socket(&sa, abs);
	setenv("NOTIFY_SOCKET", abs, 1);
	assert_int_equal(xlb_notify("STOPPING=1"), 1);
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: the style is the process's, and a daemon's once chosen. */
		cmocka_unit_test(test_command_is_plain),
		cmocka_unit_test(test_journal_gets_priorities),
		cmocka_unit_test(test_other_file_gets_stamps),
		cmocka_unit_test(test_no_or_bad_env_gets_stamps),
		cmocka_unit_test(test_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
