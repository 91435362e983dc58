/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "host/firmware.h"
#include "shared/macro.h"
#include "host/parse.h"

/* Descriptors are a few hundred bytes; anything much larger is not one. */
#define DESCRIPTOR_MAX (64u << 10)

void firmware_clear(struct firmware *f)
{
	free(f->code);
	free(f->code_format);
	free(f->vars);
	free(f->vars_format);
	free(f->descriptor);
	*f = (struct firmware){ 0 };
}

static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static bool array_has_string(json_object *a, const char *s)
{
	size_t n = a ? json_object_array_length(a) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (json_object_is_type(e, json_type_string) && streq(json_object_get_string(e), s))
			return true;
	}
	return false;
}

/* A "targets" entry for x86_64 whose machine patterns take a q35 machine. */
static bool targets_q35(json_object *targets)
{
	size_t n = targets ? json_object_array_length(targets) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(targets, i);
		json_object *arch = member(t, "architecture", json_type_string);
		json_object *m = member(t, "machines", json_type_array);
		size_t nm = m ? json_object_array_length(m) : 0;

		if (!arch || !streq(json_object_get_string(arch), "x86_64"))
			continue;
		for (size_t j = 0; j < nm; j++) {
			json_object *p = json_object_array_get_idx(m, j);
			if (json_object_is_type(p, json_type_string) &&
			    fnmatch(json_object_get_string(p), "pc-q35-99.0", 0) == 0)
				return true;
		}
	}
	return false;
}

/* mapping.executable / mapping.nvram-template: filename and format. */
static int image(json_object *mapping, const char *key, char **file, char **format)
{
	json_object *o = member(mapping, key, json_type_object);
	json_object *fn = member(o, "filename", json_type_string);
	json_object *fmt = member(o, "format", json_type_string);

	if (!fn || json_object_get_string_len(fn) == 0 || json_object_get_string(fn)[0] != '/')
		return 0;
	*file = strdup(json_object_get_string(fn));
	*format = strdup(fmt ? json_object_get_string(fmt) : "raw");
	return *file && *format ? 1 : -ENOMEM;
}

int firmware_descriptor_parse(const char *text, size_t len, struct firmware *ret, struct error *err)
{
	struct json_tokener *tok;
	json_object *root, *mapping, *dev, *features;
	const char *why = NULL;
	int r = 0;

	*ret = (struct firmware){ 0 };
	if (len > DESCRIPTOR_MAX || len > INT32_MAX)
		return error_take(err, -EINVAL, ERROR_FAILED, strdup("too large for a firmware descriptor"));
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		r = error_take(err, -EINVAL, ERROR_FAILED,
			       strdupf("not JSON: %s",
				       root ? "trailing bytes" : json_tokener_error_desc(json_tokener_get_error(tok))));
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		r = error_take(err, -EINVAL, ERROR_FAILED, strdup("not a JSON object"));
		goto out;
	}
	mapping = member(root, "mapping", json_type_object);
	dev = member(mapping, "device", json_type_string);
	features = member(root, "features", json_type_array);
	ret->secure_boot = array_has_string(features, "secure-boot");
	ret->enrolled_keys = array_has_string(features, "enrolled-keys");
	ret->requires_smm = array_has_string(features, "requires-smm");
	if (!array_has_string(member(root, "interface-types", json_type_array), "uefi"))
		why = "not UEFI";
	else if (!dev || !streq(json_object_get_string(dev), "flash"))
		why = "not a flash image";
	else if (!targets_q35(member(root, "targets", json_type_array)))
		why = "not for x86_64 q35";
	else if ((r = image(mapping, "executable", &ret->code, &ret->code_format)) <= 0)
		why = "no executable file name";
	else if ((r = image(mapping, "nvram-template", &ret->vars, &ret->vars_format)) <= 0)
		why = "no variable-store template (a stateless image)";
	if (r == -ENOMEM)
		goto out;
	r = why ? error_take(err, -EOPNOTSUPP, ERROR_FAILED, strdup(why)) : 0;
out:
	if (root)
		json_object_put(root);
	json_tokener_free(tok);
	if (r < 0)
		firmware_clear(ret);
	return r;
}

const char *firmware_package_hint(const char *os_id, const char *os_id_like)
{
	const char *id = os_id ? os_id : "", *like = os_id_like ? os_id_like : "";

	if (streq(id, "debian") || streq(id, "ubuntu") || word_in_list(like, "debian") || word_in_list(like, "ubuntu"))
		return "apt install ovmf";
	if (streq(id, "arch") || word_in_list(like, "arch"))
		return "pacman -S edk2-ovmf";
	if (streq(id, "fedora") || word_in_list(like, "fedora") || word_in_list(like, "rhel"))
		return "dnf install edk2-ovmf";
	if (streq(id, "opensuse") || word_in_list(like, "suse"))
		return "zypper install qemu-ovmf-x86_64";
	return "install your distribution's OVMF / edk2-ovmf package";
}

/* Known pairs, when no descriptor helps: Debian/Ubuntu (ovmf), Arch
 * (edk2-ovmf; no separate Secure Boot store), Fedora (edk2-ovmf). */
static const struct known {
	const char *code, *vars;
	bool secure;
} known[] = {
	{ "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd", false },
	{ "/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd", false },
	{ "/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd", false },
	{ "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd", false },
	{ "/usr/share/OVMF/OVMF_CODE_4M.ms.fd", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", true },
	{ "/usr/share/edk2/x64/OVMF_CODE.secboot.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd", true },
	{ "/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd", "/usr/share/edk2/ovmf/OVMF_VARS.secboot.fd", true },
};

static const char *const descriptor_dirs[] = { "usr/share/qemu/firmware", "etc/qemu/firmware" };

/* 1: a 4 MiB (or larger) image; 0: smaller or unknown. */
static int big_image(struct path_root *r, const char *abs)
{
	struct stat st;

	return path_lstat(r, abs, &st) == 0 && st.st_size >= (4 << 20);
}

static int push_skip(struct strv *skipped, const char *name, const char *why)
{
	char *s = strdupf("%s: %s", name, why);
	return s ? strv_push_take(skipped, s) : -ENOMEM;
}

/* The descriptor names that count, each with the directory it comes from. */
static int merged_names(struct path_root *r, struct strv *names, struct strv *dirs)
{
	for (size_t d = 0; d < ARRAY_SIZE(descriptor_dirs); d++) {
		struct strv l = { 0 };
		int k = path_list(r, descriptor_dirs[d], &l);
		if (k == -ENOMEM)
			return k;
		for (size_t i = 0; i < l.n; i++) {
			size_t at = names->n;
			if (!endswith(l.v[i], ".json"))
				continue;
			for (size_t j = 0; j < names->n; j++)
				if (streq(names->v[j], l.v[i]))
					at = j;
			if (at == names->n) {
				if (strv_push(names, l.v[i]) < 0 || strv_push(dirs, descriptor_dirs[d]) < 0)
					k = -ENOMEM;
			} else {
				char *dup = strdup(descriptor_dirs[d]);
				if (!dup)
					k = -ENOMEM;
				else {
					free(dirs->v[at]);
					dirs->v[at] = dup;
				}
			}
		}
		strv_clear(&l);
		if (k == -ENOMEM)
			return k;
	}
	/* Sort both by name (a small insertion sort keeps the pairs together). */
	for (size_t i = 1; i < names->n; i++)
		for (size_t j = i; j > 0 && strcmp(names->v[j - 1], names->v[j]) > 0; j--) {
			char *t = names->v[j];
			names->v[j] = names->v[j - 1];
			names->v[j - 1] = t;
			t = dirs->v[j];
			dirs->v[j] = dirs->v[j - 1];
			dirs->v[j - 1] = t;
		}
	return 0;
}

/* Rank of a candidate: lower is better; -1 not wanted. */
static int rank(struct path_root *r, const struct firmware *f, bool secure)
{
	if (f->secure_boot != secure)
		return -1;
	return (secure && !f->enrolled_keys ? 2 : 0) + (big_image(r, f->code) ? 0 : 1);
}

int firmware_find(struct path_root *r, bool secure, const char *os_id, const char *os_id_like, struct firmware *ret,
		  struct strv *skipped, struct error *err)
{
	struct strv names = { 0 }, dirs = { 0 };
	struct firmware best = { 0 };
	int best_rank = -1, k;

	*ret = (struct firmware){ 0 };
	k = merged_names(r, &names, &dirs);
	for (size_t i = 0; k == 0 && i < names.n; i++) {
		_cleanup_free_ char *rel = strdupf("%s/%s", dirs.v[i], names.v[i]), *text = NULL;
		_cleanup_error_ struct error why = { 0 };
		struct firmware f;
		size_t len;
		int q;

		if (!rel) {
			k = -ENOMEM;
			break;
		}
		q = path_read_file(r, rel, DESCRIPTOR_MAX, &text, &len);
		if (q == -ENOMEM) {
			k = q;
			break;
		}
		if (q < 0) {
			k = push_skip(skipped, rel, path_strerror(q));
			continue;
		}
		if (len == 0)
			continue; /* hides the same name from an earlier directory */
		q = firmware_descriptor_parse(text, len, &f, &why);
		if (q == -ENOMEM) {
			k = q;
			break;
		}
		if (q < 0) {
			k = push_skip(skipped, rel, why.msg);
			continue;
		}
		if (!path_exists(r, f.code) || !path_exists(r, f.vars)) {
			k = push_skip(skipped, rel, path_exists(r, f.code) ? "its variable-store template is not installed"
									 : "its code image is not installed");
			firmware_clear(&f);
			continue;
		}
		q = rank(r, &f, secure);
		if (q >= 0 && (best_rank < 0 || q < best_rank)) {
			firmware_clear(&best);
			best = f;
			best_rank = q;
			best.descriptor = rel;
			rel = NULL;
		} else
			firmware_clear(&f);
	}
	strv_clear(&names);
	strv_clear(&dirs);
	if (k < 0) {
		firmware_clear(&best);
		return k;
	}
	if (best_rank < 0)
		for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
			if (known[i].secure != secure || !path_exists(r, known[i].code) || !path_exists(r, known[i].vars))
				continue;
			best.code = strdup(known[i].code);
			best.vars = strdup(known[i].vars);
			best.code_format = strdup("raw");
			best.vars_format = strdup("raw");
			best.secure_boot = secure;
			best.requires_smm = secure;
			if (!best.code || !best.vars || !best.code_format || !best.vars_format) {
				firmware_clear(&best);
				return -ENOMEM;
			}
			*ret = best;
			return 0;
		}
	if (best_rank < 0) {
		return error_set(err, -ENOENT, ERROR_FAILED,
				 "no OVMF %sfirmware for x86_64 q35: no usable QEMU firmware descriptor in "
				 "/usr/share/qemu/firmware or /etc/qemu/firmware, and none of the known paths exists "
				 "(%s)",
				 secure ? "Secure Boot " : "", firmware_package_hint(os_id, os_id_like));
	}
	*ret = best;
	return 0;
}
