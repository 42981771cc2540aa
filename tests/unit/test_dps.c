// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the data-path set (user/agent/dps.c): every fan-out write reaches every data path,
 * not only the first, and reports the first failure. The maps are real (shaped as
 * bpf/maps.h declares them); no program is loaded, so a struct xlb_dp has its *_fd fields only.
 *
 * Needs root (CAP_BPF): exits 77, skipped, without it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "agent/dps.h"
#include "common/log.h"

#define N_DPS 2

struct fixture {
	struct xlb_dp dp[N_DPS];
	struct xlb_dps dps;
};

static int ncpu;

static int map(enum bpf_map_type type, uint32_t key_size, uint32_t value_size, uint32_t n)
{
	int fd = bpf_map_create(type, NULL, key_size, value_size, n, NULL);

	assert_true(fd >= 0);
	return fd;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t i;

	if (!f)
		return -1;
	for (i = 0; i < N_DPS; i++) {
		f->dp[i].ifindex = 10 + i;
		f->dp[i].conns_fd = map(BPF_MAP_TYPE_LRU_HASH, sizeof(struct xlb_flow),
					sizeof(struct xlb_conn), 64);
		f->dp[i].backends_fd = map(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
					   sizeof(struct xlb_backend), 16);
		f->dp[i].backend_stats_fd = map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t),
						sizeof(struct xlb_counters), 16);
		/* A devmap takes only live interfaces: a hash of the same shape stands in. */
		f->dp[i].tx_ports_fd = map(BPF_MAP_TYPE_HASH, sizeof(uint32_t), sizeof(uint32_t), 8);
		f->dp[i].vips_fd = -1;
	}
	f->dps = (struct xlb_dps){ f->dp, N_DPS };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < N_DPS; i++) {
		close(f->dp[i].conns_fd);
		close(f->dp[i].backends_fd);
		close(f->dp[i].backend_stats_fd);
		close(f->dp[i].tx_ports_fd);
	}
	free(f);
	return 0;
}

/* Test that the set names its primary and finds a data path by its interface. */
static void test_primary(void **state)
{
	struct fixture *f = *state;
	struct xlb_dps none = {};

	assert_ptr_equal(xlb_dps_primary(&f->dps), &f->dp[0]);
	assert_null(xlb_dps_primary(&none));
	assert_int_equal(xlb_dps_index(&f->dps, 11), 1);
	assert_int_equal(xlb_dps_index(&f->dps, 12), -ENODEV);
}

/* Test that an update and a delete reach both data paths, and a repeated delete is no error. */
static void test_update_delete(void **state)
{
	struct fixture *f = *state;
	struct xlb_flow k = { .sport = 1234, .dport = 80 };
	struct xlb_conn c = { .backend = 3, .vip_id = 1 }, got;
	size_t i;

	assert_int_equal(xlb_dps_update(&f->dps, XLB_DP_CONNS, &k, &c), 0);
	for (i = 0; i < N_DPS; i++) {
		assert_int_equal(bpf_map_lookup_elem(f->dp[i].conns_fd, &k, &got), 0);
		assert_int_equal(got.backend, 3);
	}
	assert_int_equal(xlb_dps_delete(&f->dps, XLB_DP_CONNS, &k), 0);
	for (i = 0; i < N_DPS; i++)
		assert_int_not_equal(bpf_map_lookup_elem(f->dp[i].conns_fd, &k, &got), 0);
	assert_int_equal(xlb_dps_delete(&f->dps, XLB_DP_CONNS, &k), 0);
}

/* Test that one data path's own write reaches it alone. */
static void test_update_one(void **state)
{
	struct fixture *f = *state;
	struct xlb_backend be = { .flags = XLB_BE_F_USED | XLB_BE_F_MAC, .mac = { 2, 0, 0, 0, 0, 1 } };
	struct xlb_backend got;
	uint32_t id = 5;

	assert_int_equal(xlb_dp_update(&f->dp[1], XLB_DP_BACKENDS, &id, &be), 0);
	assert_int_equal(bpf_map_lookup_elem(f->dp[1].backends_fd, &id, &got), 0);
	assert_memory_equal(&got, &be, sizeof(be));
	assert_int_equal(bpf_map_lookup_elem(f->dp[0].backends_fd, &id, &got), 0);
	assert_int_equal(got.flags, 0);
}

/* Test that counters are zeroed on both data paths. */
static void test_zero_counters(void **state)
{
	struct fixture *f = *state;
	struct xlb_counters c[ncpu];
	uint32_t id = 7;
	size_t i;
	int cpu;

	for (cpu = 0; cpu < ncpu; cpu++)
		c[cpu] = (struct xlb_counters){ 1000, 64000, 10 };
	for (i = 0; i < N_DPS; i++)
		assert_int_equal(bpf_map_update_elem(f->dp[i].backend_stats_fd, &id, c, BPF_ANY), 0);
	assert_int_equal(xlb_dps_zero_counters(&f->dps, XLB_DP_BACKEND_STATS, id), 0);
	for (i = 0; i < N_DPS; i++) {
		memset(c, 0xff, sizeof(c));
		assert_int_equal(bpf_map_lookup_elem(f->dp[i].backend_stats_fd, &id, c), 0);
		for (cpu = 0; cpu < ncpu; cpu++)
			assert_true(!c[cpu].packets && !c[cpu].bytes && !c[cpu].new_flows);
	}
}

/* Test that a failure on the second data path is returned, as the first -errno. */
static void test_update_fails_second(void **state)
{
	struct fixture *f = *state;
	struct xlb_flow k = { .sport = 1 };
	struct xlb_conn c = {}, got;
	int fd = f->dp[1].conns_fd;

	f->dp[1].conns_fd = -1;
	assert_int_equal(xlb_dps_update(&f->dps, XLB_DP_CONNS, &k, &c), -EBADF);
	assert_int_equal(xlb_dps_delete(&f->dps, XLB_DP_CONNS, &k), -EBADF);
	f->dp[1].conns_fd = fd;
	assert_int_not_equal(bpf_map_lookup_elem(f->dp[0].conns_fd, &k, &got), 0);
}

/*
 * Test that every data path may redirect to every interface of the set, itself too (a reply
 * may leave where it came in), and to nothing else.
 */
static void test_tx_ports(void **state)
{
	struct fixture *f = *state;
	uint32_t k, next, v, *prev;
	size_t i, j, n;

	assert_int_equal(xlb_dps_tx_ports(&f->dps), 0);
	for (i = 0; i < N_DPS; i++) {
		for (j = 0; j < N_DPS; j++) {
			k = f->dp[j].ifindex;
			assert_int_equal(bpf_map_lookup_elem(f->dp[i].tx_ports_fd, &k, &v), 0);
			assert_int_equal(v, k);
		}
		for (n = 0, prev = NULL; !bpf_map_get_next_key(f->dp[i].tx_ports_fd, prev, &next);
		     n++, k = next, prev = &k)
			;
		assert_int_equal(n, N_DPS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_primary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_fails_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_ports, setup, teardown),
	};
	int fd;

	xlb_log_init("test_dps", XLB_LOG_WARN);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (fd < 0) {
		fprintf(stderr, "test_dps: cannot create BPF maps (%s): skipped\n", strerror(errno));
		return 77;
	}
	close(fd);
	ncpu = libbpf_num_possible_cpus();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
