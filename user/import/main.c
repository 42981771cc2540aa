// SPDX-License-Identifier: GPL-2.0-only
/* `xlbctl import-keepalived`'s arguments, apart from xlbctl's own: it talks to no xlbd. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "import/import.h"

static const char im_usage[] =
	"usage: xlbctl import-keepalived [--sync-peer ADDR[:PORT] --sync-key FILE] FILE\n"
	"Print FILE (a keepalived.conf) as xlb YAML on stdout and what was left out or changed\n"
	"on stderr. Exit 0, 3 when something was left out, 2 when FILE is unreadable or\n"
	"unparsable or the arguments are wrong.\n"
	"  --sync-peer ADDR[:PORT]  the other box's failover.sync address (port 8849 if none;\n"
	"                           IPv6 in brackets, [2001:db8::2]:8849)\n"
	"  --sync-key FILE          the pair's sync key, an absolute path; both options or\n"
	"                           neither: they add failover.sync, listening on this\n"
	"                           machine's source address toward ADDR, and replace\n"
	"                           lvs_sync_daemon\n";

int xlb_import_hostport(const char *s, char *host, size_t len, unsigned int *port,
			unsigned int def)
{
	const char *h = s, *end, *ps = NULL;
	struct xlb_addr a;
	unsigned long v;
	char *e;

	if (*s == '[') {
		h = s + 1;
		end = strchr(h, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		if (end[1])
			ps = end + 2;
	} else {
		end = strchr(s, ':');
		/* failover.sync takes IPv6 in brackets only, so does this. */
		if (end && strchr(end + 1, ':'))
			return -EINVAL;
		if (end)
			ps = end + 1;
		else
			end = s + strlen(s);
	}
	if ((size_t)(end - h) >= len)
		return -EINVAL;
	memcpy(host, h, end - h);
	host[end - h] = '\0';
	if (xlb_addr_parse(host, &a) || (h != s) != (a.family == XLB_FAMILY_V6))
		return -EINVAL;
	*port = def;
	if (!ps)
		return 0;
	v = strtoul(ps, &e, 10);
	if (!isdigit((unsigned char)*ps) || *e || !v || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

static int im_bad(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int im_bad(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("xlbctl import-keepalived: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	/* The usage's first line, and where the rest is. */
	fprintf(err, "\n%.*s (xlbctl import-keepalived --help)\n",
		(int)(strchr(im_usage, '\n') - im_usage), im_usage);
	return XLB_IMPORT_USAGE;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 and *val, 0 another word, -1 no value. */
static int im_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) || (argv[*i][len] && argv[*i][len] != '='))
		return 0;
	if (argv[*i][len] == '=') {
		*val = argv[*i] + len + 1;
		return 1;
	}
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

int xlb_import_main(int argc, char **argv, const struct xlb_import_env *env, FILE *out,
		    FILE *err)
{
	struct xlb_import_opts o = { 0 };
	const char *file = NULL, *val;
	unsigned int port;
	char host[64];
	int i, r, dashes = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!dashes && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fputs(im_usage, out);
			return XLB_IMPORT_OK;
		} else if (!dashes && !strcmp(a, "--")) {
			dashes = 1;
		} else if (!dashes && (r = im_opt(argc, argv, &i, "--sync-peer", &val))) {
			if (r < 0 || o.sync_peer)
				return im_bad(err, "--sync-peer %s", r < 0 ? "needs ADDR[:PORT]" :
									 "given twice");
			o.sync_peer = val;
		} else if (!dashes && (r = im_opt(argc, argv, &i, "--sync-key", &val))) {
			if (r < 0 || o.sync_key)
				return im_bad(err, "--sync-key %s", r < 0 ? "needs FILE" : "given twice");
			o.sync_key = val;
		} else if (!dashes && a[0] == '-' && a[1]) {
			return im_bad(err, "unknown option '%s'", a);
		} else if (file) {
			return im_bad(err, "one FILE only ('%s' is a second)", a);
		} else {
			file = a;
		}
	}
	if (!file)
		return im_bad(err, "no FILE");
	if (!o.sync_peer != !o.sync_key)
		return im_bad(err, "%s without %s: both or neither",
			      o.sync_peer ? "--sync-peer" : "--sync-key",
			      o.sync_peer ? "--sync-key" : "--sync-peer");
	if (o.sync_peer &&
	    xlb_import_hostport(o.sync_peer, host, sizeof(host), &port, 0))
		return im_bad(err, "--sync-peer '%s': not ADDR[:PORT] (IPv6 in brackets: "
			      "[2001:db8::2]:8849)", o.sync_peer);
	if (o.sync_key && o.sync_key[0] != '/')
		return im_bad(err, "--sync-key '%s': not an absolute path (xlbd reads it when it "
			      "starts, from its own directory)", o.sync_key);
	return xlb_import_keepalived(file, env, o.sync_peer ? &o : NULL, out, err);
}
