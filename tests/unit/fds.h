/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How many fds the test process holds, for tests that check nothing leaks one. Include after
 * cmocka.h: a test that cannot count fails rather than comparing two failures as equal.
 */
#ifndef XLB_TEST_FDS_H
#define XLB_TEST_FDS_H

#include <dirent.h>

static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own */
}

#endif /* XLB_TEST_FDS_H */
