// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "import/kconf.h"

/* keepalived nests includes without a bound; a loop would never end. */
#define KC_MAX_DEPTH 16
#define KC_MAX_NEST 64

struct kc_parse {
	struct xlb_kc_tree *t;
	FILE *err;
	struct xlb_kc_node *stack[KC_MAX_NEST]; /* open blocks; stack[0] is the root */
	int depth;
	const char *open_file[KC_MAX_NEST];
	int open_line[KC_MAX_NEST];
};

static int kc_parse_file(struct kc_parse *p, const char *path, int level, const char *from,
			 int from_line);

static struct xlb_kc_node *kc_add(struct xlb_kc_node *parent)
{
	struct xlb_kc_node *k = realloc(parent->kids, (parent->nkids + 1) * sizeof(*k));

	if (!k)
		return NULL;
	parent->kids = k;
	k = &parent->kids[parent->nkids++];
	memset(k, 0, sizeof(*k));
	return k;
}

static int kc_word(struct xlb_kc_node *n, const char *s, size_t len)
{
	char **w = realloc(n->words, (n->nwords + 1) * sizeof(*w));

	if (!w)
		return -ENOMEM;
	n->words = w;
	w[n->nwords] = strndup(s, len);
	if (!w[n->nwords])
		return -ENOMEM;
	n->nwords++;
	return 0;
}

/* Split one line into words; `{` and `}` are words of their own. */
static int kc_split(char *line, char ***out, int *n)
{
	char **w = NULL;
	int cnt = 0;
	char *s = line;

	while (*s) {
		char *start, **nw;
		size_t len;

		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s || *s == '!' || *s == '#')
			break;
		if (*s == '"') {
			start = ++s;
			while (*s && *s != '"')
				s++;
			len = s - start;
			if (*s)
				s++;
		} else if (*s == '{' || *s == '}') {
			start = s++;
			len = 1;
		} else {
			start = s;
			while (*s && !strchr(" \t\r\n{}\"!#", *s))
				s++;
			len = s - start;
		}
		nw = realloc(w, (cnt + 1) * sizeof(*w));
		if (!nw)
			goto nomem;
		w = nw;
		w[cnt] = strndup(start, len);
		if (!w[cnt])
			goto nomem;
		/* A quoted brace is a word, not a block: mark it so. */
		if (start > line && start[-1] == '"' && len == 1 && (*start == '{' || *start == '}'))
			w[cnt][0] = *start == '{' ? '\1' : '\2';
		cnt++;
	}
	*out = w;
	*n = cnt;
	return 0;
nomem:
	while (cnt--)
		free(w[cnt]);
	free(w);
	return -ENOMEM;
}

static int kc_include(struct kc_parse *p, const char *pattern, const char *file, int line,
		      int level)
{
	char *dup = strdup(file), full[4096];
	glob_t g;
	int ret = 0;
	size_t i;

	if (!dup)
		return -ENOMEM;
	if (pattern[0] == '/')
		snprintf(full, sizeof(full), "%s", pattern);
	else
		snprintf(full, sizeof(full), "%s/%s", dirname(dup), pattern);
	free(dup);
	if (glob(full, 0, NULL, &g) || !g.gl_pathc) {
		fprintf(p->err, "%s:%d: keepalived include: no file matches '%s'\n", file, line,
			pattern);
		globfree(&g);
		return -ENOENT;
	}
	for (i = 0; i < g.gl_pathc && !ret; i++)
		ret = kc_parse_file(p, g.gl_pathv[i], level + 1, file, line);
	globfree(&g);
	return ret;
}

static int kc_line(struct kc_parse *p, char **w, int n, const char *file, int line, int level)
{
	struct xlb_kc_node *cur = NULL;
	int i, ret;

	for (i = 0; i < n; i++) {
		if (!strcmp(w[i], "{")) {
			struct xlb_kc_node *top = p->stack[p->depth];

			/* `{` on its own line opens the block of the statement before it. */
			if (!cur && top->nkids)
				cur = &top->kids[top->nkids - 1];
			if (!cur || cur->block || p->depth + 1 >= KC_MAX_NEST) {
				fprintf(p->err, "%s:%d: keepalived: '{' opens no statement's block\n",
					file, line);
				return -EINVAL;
			}
			cur->block = 1;
			p->stack[++p->depth] = cur;
			p->open_file[p->depth] = file;
			p->open_line[p->depth] = line;
			cur = NULL;
		} else if (!strcmp(w[i], "}")) {
			if (!p->depth) {
				fprintf(p->err, "%s:%d: keepalived: '}' closes no block\n", file, line);
				return -EINVAL;
			}
			p->depth--;
			cur = NULL;
		} else if (!cur && !strcmp(w[i], "include") && i + 1 < n) {
			ret = kc_include(p, w[i + 1], file, line, level);
			if (ret)
				return ret;
			i++;
		} else {
			if (w[i][0] == '\1' || w[i][0] == '\2')
				w[i][0] = w[i][0] == '\1' ? '{' : '}';
			if (!cur) {
				cur = kc_add(p->stack[p->depth]);
				if (!cur)
					return -ENOMEM;
				cur->file = file;
				cur->line = line;
			}
			ret = kc_word(cur, w[i], strlen(w[i]));
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int kc_parse_file(struct kc_parse *p, const char *path, int level, const char *from,
			 int from_line)
{
	char *buf = NULL, **files, *name;
	size_t cap = 0;
	int lineno = 0, ret = 0;
	FILE *f;

	if (level > KC_MAX_DEPTH) {
		fprintf(p->err, "%s:%d: keepalived include: nested deeper than %d\n", from,
			from_line, KC_MAX_DEPTH);
		return -ELOOP;
	}
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		if (from)
			fprintf(p->err, "%s:%d: keepalived include: %s: %s\n", from, from_line, path,
				strerror(-ret));
		else
			fprintf(p->err, "%s:0: keepalived: %s\n", path, strerror(-ret));
		return ret;
	}
	name = strdup(path);
	files = name ? realloc(p->t->files, (p->t->nfiles + 1) * sizeof(*files)) : NULL;
	if (!files) {
		free(name);
		fclose(f);
		return -ENOMEM;
	}
	p->t->files = files;
	files[p->t->nfiles++] = name;
	while (!ret && getline(&buf, &cap, f) >= 0) {
		char **w;
		int n, i;

		lineno++;
		ret = kc_split(buf, &w, &n);
		if (ret)
			break;
		ret = kc_line(p, w, n, name, lineno, level);
		for (i = 0; i < n; i++)
			free(w[i]);
		free(w);
	}
	free(buf);
	fclose(f);
	return ret;
}

int xlb_kc_parse(const char *path, struct xlb_kc_tree *t, FILE *err)
{
	struct kc_parse p = { .t = t, .err = err };
	int ret;

	memset(t, 0, sizeof(*t));
	p.stack[0] = &t->root;
	ret = kc_parse_file(&p, path, 0, NULL, 0);
	if (!ret && p.depth) {
		fprintf(err, "%s:%d: keepalived: '{' is never closed\n", p.open_file[p.depth],
			p.open_line[p.depth]);
		ret = -EINVAL;
	}
	if (ret)
		xlb_kc_free(t);
	return ret;
}

static void kc_free_node(struct xlb_kc_node *n)
{
	int i;

	for (i = 0; i < n->nwords; i++)
		free(n->words[i]);
	free(n->words);
	for (i = 0; i < n->nkids; i++)
		kc_free_node(&n->kids[i]);
	free(n->kids);
}

void xlb_kc_free(struct xlb_kc_tree *t)
{
	int i;

	kc_free_node(&t->root);
	for (i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	memset(t, 0, sizeof(*t));
}
