// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's request parser (xlb_ctl_parse), fed the bytes a client sends.
 *
 * Properties beyond "no crash": the verdict is one of three and matches the bytes (incomplete
 * only while no newline, control character or full buffer has arrived); a verdict once given
 * for a prefix is the verdict for the whole (the server judges as bytes arrive); a valid
 * request's words are its line's space-separated words, and the line xlb_ctl_request() would
 * send for them parses back to the same words.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ctl/control.h"
#include "fuzz.h"

static int cmd_none(void *arg, int argc, char **argv, struct xlb_json *j, char *err, size_t errlen)
{
	(void)arg, (void)argc, (void)argv, (void)j, (void)err, (void)errlen;
	return 0;
}

/* xlbd's commands and arities (user/agent/commands.c), without their handlers' dependencies. */
static const struct xlb_ctl_cmd cmds[] = {
	{ "state", 0, 0, cmd_none },   { "drain", 1, 2, cmd_none },
	{ "enable", 1, 2, cmd_none },  { "disable", 1, 2, cmd_none },
	{ "reload", 0, 0, cmd_none },  { "wide", 0, XLB_CTL_MAX_ARGS - 1, cmd_none },
	{ NULL, 0, 0, NULL },
};

static bool bad_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int parse(const uint8_t *data, size_t len, char *buf, struct xlb_ctl_req *req)
{
	char err[256] = "";
	int ret;

	memcpy(buf, data, len);
	ret = xlb_ctl_parse(buf, len, cmds, req, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == 1 || ret == -EINVAL);
	FUZZ_CHECK((ret == -EINVAL) == (err[0] != '\0'));
	return ret;
}

/* The line's words, split by hand: what the parser must have found. */
static void check_words(const uint8_t *data, size_t len, const struct xlb_ctl_req *req)
{
	size_t i = 0, n;
	int w = 0;

	for (;;) {
		while (i < len && data[i] == ' ')
			i++;
		if (i == len || data[i] == '\n')
			break;
		for (n = 0; i + n < len && data[i + n] != ' ' && data[i + n] != '\n'; n++)
			;
		FUZZ_CHECK(w < req->argc);
		FUZZ_CHECK(strlen(req->argv[w]) == n && !memcmp(req->argv[w], data + i, n));
		w++;
		i += n;
	}
	FUZZ_CHECK(w == req->argc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[XLB_CTL_MAX_LINE], buf2[XLB_CTL_MAX_LINE];
	struct xlb_ctl_req req, req2;
	size_t len = size < XLB_CTL_MAX_LINE ? size : XLB_CTL_MAX_LINE, i, nl;
	char line[XLB_CTL_MAX_LINE + 1];
	int ret, ret2, k;

	ret = parse(data, len, buf, &req);
	for (nl = 0; nl < len && data[nl] != '\n'; nl++)
		;
	if (ret == 0) {
		FUZZ_CHECK(nl == len && len < XLB_CTL_MAX_LINE);
		for (i = 0; i < len; i++)
			FUZZ_CHECK(!bad_byte(data[i]));
	}

	/* A prefix that already has a verdict has the whole's. */
	for (k = 0; k < 2; k++) {
		size_t cut = k ? len / 2 : (len ? len - 1 : 0);

		ret2 = parse(data, cut, buf2, &req2);
		if (ret2 != 0)
			FUZZ_CHECK(ret2 == ret);
		if (ret == 0)
			FUZZ_CHECK(ret2 == 0);
	}

	if (ret != 1)
		return 0;
	FUZZ_CHECK(nl < len);
	FUZZ_CHECK(req.argc >= 1 && req.argc <= XLB_CTL_MAX_ARGS);
	FUZZ_CHECK(req.cmd && req.cmd->name && !strcmp(req.cmd->name, req.argv[0]));
	FUZZ_CHECK(req.argc - 1 >= req.cmd->min_args && req.argc - 1 <= req.cmd->max_args);
	check_words(data, nl, &req);

	/* Round trip: the words joined as xlb_ctl_request() joins them parse to the same words. */
	line[0] = '\0';
	for (k = 0; k < req.argc; k++) {
		if (k)
			strcat(line, " ");
		strcat(line, req.argv[k]);
	}
	strcat(line, "\n");
	ret2 = parse((const uint8_t *)line, strlen(line), buf2, &req2);
	FUZZ_CHECK(ret2 == 1 && req2.argc == req.argc && req2.cmd == req.cmd);
	for (k = 0; k < req.argc; k++)
		FUZZ_CHECK(!strcmp(req.argv[k], req2.argv[k]));
	return 0;
}
