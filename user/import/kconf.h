/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keepalived.conf as a tree of statements, each with the file and line it came from: the
 * grammar of keepalived's core/parser.c (words split on blanks, "quoted strings", `!` and `#`
 * comments, `{ }` blocks, `include GLOB` relative to the including file's directory).
 */
#ifndef XLB_IMPORT_KCONF_H
#define XLB_IMPORT_KCONF_H

#include <stdio.h>

struct xlb_kc_node {
	char **words;		/* words[0] is the keyword */
	int nwords;
	const char *file;	/* owned by the tree's file list */
	int line;
	struct xlb_kc_node *kids; /* the { } block, if any */
	int nkids;
	int block;		/* 1 when a block followed */
};

struct xlb_kc_tree {
	struct xlb_kc_node root;
	char **files;
	int nfiles;
};

/* 0 and *t, or -EINVAL / -errno with one "FILE:LINE: message" written to err. */
int xlb_kc_parse(const char *path, struct xlb_kc_tree *t, FILE *err);
void xlb_kc_free(struct xlb_kc_tree *t);

#endif /* XLB_IMPORT_KCONF_H */
