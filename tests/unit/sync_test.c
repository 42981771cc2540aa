// SPDX-License-Identifier: GPL-2.0-only
/* What the sync tests share (sync_test.h). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_test.h"

uint8_t key[XLB_SYNC_KEY_BYTES];
uint8_t other_key[XLB_SYNC_KEY_BYTES];

static int setup_keys(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(key); i++) {
		key[i] = i;
		other_key[i] = i;
	}
	other_key[31] ^= 1; /* one bit away: a wrong key need not be far from the right one */
	return 0;
}

/* Flow i of 203.0.113.10:443/tcp from 198.51.100.(i+1):(40000+i), backend 10.0.0.(i%250+1). */
void mk_rec4(unsigned int i, struct xlb_sync_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->flow.src[0] = htonl(0xc6336400 + 1 + (i & 0xff));
	r->flow.dst[0] = htonl(0xcb00710a);
	r->flow.sport = htons(40000 + i);
	r->flow.dport = htons(443);
	r->flow.proto = IPPROTO_TCP;
	r->flow.family = XLB_FAMILY_V4;
	r->vip.addr[0] = r->flow.dst[0];
	r->vip.port = htons(443);
	r->vip.proto = IPPROTO_TCP;
	r->vip.family = XLB_FAMILY_V4;
	r->backend.family = XLB_FAMILY_V4;
	r->backend.w[0] = htonl(0x0a000000 + 1 + i % 250);
	r->age_s = i;
	r->state = i % XLB_CS_MAX;
}


char tmpdir[64];

int setup_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xlb-test-sync.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

int teardown_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write a key file with exactly this content and mode; returns its path (static buffer). */
const char *key_file(const char *name, const void *data, size_t len, mode_t mode)
{
	static char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	/* fchmod, not the open mode: the umask must not decide what the test checks. */
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

int sync_test_main(const char *group, const struct CMUnitTest *tests, size_t n)
{
	if (xlb_sync_init()) {
		fprintf(stderr, "libsodium failed to initialise\n");
		return 1;
	}
	return _cmocka_run_group_tests(group, tests, n, setup_keys, NULL);
}
