// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "import/yaml_out.h"

static int yo_plain_ok(const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "null",
					     "~", "y", "n" };
	size_t i;

	if (!*s || strspn(s, "0123456789") == strlen(s))
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-:", *s))
			return 0;
	return 1;
}

void xlb_yo_scalar(FILE *f, const char *s)
{
	/* A leading '-' or a ': ' or '#' would change what YAML reads; digits stay plain. */
	if (yo_plain_ok(s) && s[0] != '-' && s[0] != ':' && s[strlen(s) - 1] != ':') {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void xlb_yo_kv(FILE *f, int indent, const char *key, const char *value)
{
	fprintf(f, "%*s%s: ", indent, "", key);
	xlb_yo_scalar(f, value);
	fputc('\n', f);
}
