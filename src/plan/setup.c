/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <strings.h>

#include "plan/boot/backend.h"
#include "plan/isolation.h"
#include "plan/override.h"
#include "shared/parse-number.h"
#include "plan/setup.h"

void setup_plan_free(struct setup_plan *p)
{
	free(p->devs);
	strv_clear(&p->ids);
	strv_clear(&p->kept);
	strv_clear(&p->params);
	strv_clear(&p->stale);
	strv_clear(&p->softdeps);
	strv_clear(&p->modules);
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		free(p->files[i].content);
	}
	free(p->files);
	strv_clear(&p->exec);
	strv_clear(&p->exec_undo);
	strv_clear(&p->commands);
	strv_clear(&p->manual);
	strv_clear(&p->warnings);
	refusal_list_clear(&p->refusals);
	*p = (struct setup_plan){ 0 };
}

static int fail(struct error *err, char *msg)
{
	return error_take(err, -EINVAL, ERROR_FAILED, msg);
}

int setup_add_file(struct setup_plan *p, const char *path, char *content)
{
	if (!content)
		return -ENOMEM;
	if (GROW(p->files, p->files_alloc, p->nfiles + 1) < 0) {
		free(content);
		return -ENOMEM;
	}
	p->files[p->nfiles].path = strdup(path);
	p->files[p->nfiles].content = content;
	p->files[p->nfiles].mode = strstr(path, "/bin/") || strstr(path, "/hooks/") ? 0755 : 0644;
	if (!p->files[p->nfiles].path) {
		free(content);
		return -ENOMEM;
	}
	p->nfiles++;
	return 0;
}

static bool has_dev(const struct setup_plan *p, size_t i)
{
	for (size_t j = 0; j < p->ndevs; j++)
		if (p->devs[j] == i)
			return true;
	return false;
}

/* Device idx for vfio-pci, judged as bind judges it (refuse.c) unless it
 * is on vfio-pci already (then nothing changes for the host). */
static int take_dev(const struct host *h, struct setup_plan *p, size_t idx)
{
	const char *drv = h->pci[idx].driver;

	if (has_dev(p, idx))
		return 0;
	if (GROW(p->devs, p->devs_alloc, p->ndevs + 1) < 0)
		return -ENOMEM;
	p->devs[p->ndevs++] = idx;
	return drv && streq(drv, "vfio-pci") ? 0 : refusals_judge(h, &idx, 1, &p->refusals);
}

/* Every endpoint of the group of a (refusing a shared group unless asked),
 * each judged as bind judges it (refuse.c): at boot vfio-pci takes them
 * before the host can use them. One already on vfio-pci changes nothing.
 * VFIO's viability is no question here: every endpoint of the group goes
 * to vfio-pci, and bridges stay on pcieport. */
static int add_group(const struct host *h, const struct pci_addr *a, const struct setup_request *rq,
		     struct setup_plan *p, struct error *err)
{
	const struct pci_device *d = host_find_pci(h, a);
	const struct iommu_group *g;
	struct group_assessment as = { 0 };
	char name[PCI_ADDR_STRLEN];
	int k;

	format_pci_addr(a, name);
	if (!d)
		return fail(err, strdupf("there is no PCI device %s ('vfiokit groups' lists the devices)", name));
	if (pci_is_bridge_role(d->role))
		return fail(err, strdupf("%s is a PCI bridge: bridges and root ports stay on the host; name the devices "
					 "behind it ('vfiokit groups')", name));
	if (d->iommu_group < 0 || !(g = host_find_group(h, d->iommu_group))) {
		if (h->ngroups)
			return fail(err, strdupf("%s is in no IOMMU group, though the IOMMU is on (see 'vfiokit groups')",
						 name));
		/* The IOMMU is off: no group is known until the reboot that
		 * turns it on. The device alone, by ID (refused as at any time:
		 * the screen, the root disk, the route); verify judges its group. */
		p->groups_unknown = true;
		return take_dev(h, p, (size_t)(d - h->pci));
	}
	if ((k = isolation_assess(h, g, a, &as)) < 0)
		return k;
	if (as.verdict == VERDICT_SHARED && !rq->include_group) {
		struct strv o = { 0 };
		_cleanup_free_ char *list = NULL;
		for (size_t i = 0; i < as.nothers; i++)
			if (strv_push(&o, h->pci[as.others[i]].name) < 0) {
				strv_clear(&o);
				group_assessment_clear(&as);
				return -ENOMEM;
			}
		list = strv_join(&o, ", ");
		strv_clear(&o);
		group_assessment_clear(&as);
		return fail(err, list ? strdupf("group %d is shared: besides %s it holds %s, which vfio-pci would take "
						"from the host too; take the group whole with --include-group, or see "
						"'vfiokit groups --group %d'",
						g->number, name, list, g->number) :
					NULL);
	}
	group_assessment_clear(&as);
	for (size_t i = 0; i < g->ndevs; i++)
		if (!pci_is_bridge_role(h->pci[g->devs[i]].role) && (k = take_dev(h, p, g->devs[i])) < 0)
			return k;
	return 0;
}

/* Whether a kernel release ("6.6.10-arch1-1") is 6.0 or later: 1, 0;
 * -EINVAL when its version cannot be read. */
static int release_from_6_0(const char *release)
{
	size_t n = strspn(release, "0123456789.");
	_cleanup_free_ char *v = strndup(release, n);
	unsigned long ver;

	if (!v)
		return -ENOMEM;
	while (n && v[n - 1] == '.')
		v[--n] = '\0';
	if (parse_version(v, &ver) < 0)
		return -EINVAL;
	return ver >= 6000000;
}

/* The display the host keeps: its boot GPU when not given to vfio-pci,
 * else the first other display device with a driver. */
static const struct pci_device *host_display(const struct host *h, const struct setup_plan *p)
{
	const struct pci_device *other = NULL;

	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		if (!pci_is_display(d) || has_dev(p, i))
			continue;
		if (d->boot_vga == 1)
			return d;
		if (!other && (d->driver || d->modules.n))
			other = d;
	}
	return other;
}

/* The module of the display's driver: the driver's own name when a
 * kernel has it as a KMS module, else the one module its modalias
 * matches; NULL when neither says. */
static const char *kms_module(const struct host *h, const struct pci_device *d, char *buf, size_t size)
{
	const struct host_boot *b = &h->boot;

	if (d->driver && strlen(d->driver) < size) {
		module_name_normalize(strcpy(buf, d->driver));
		for (size_t i = 0; i < b->nkernels; i++)
			if (strv_contains(&b->kernels[i].drm, buf))
				return buf;
		if (strv_contains(&d->modules, buf))
			return buf;
	}
	return d->modules.n == 1 ? d->modules.v[0] : NULL;
}

/* The article ("Loading vfio-pci early"): since kernel 6.0 the framebuffer
 * freezes once the VFIO modules load, until a GPU driver loads; with an
 * encrypted root that hides the passphrase prompt, so the host GPU's
 * driver goes into the initramfs too, after the VFIO modules (which the
 * article puts before any KMS driver). */
static int kms_early(const struct host *h, const struct setup_request *rq, struct setup_plan *p)
{
	const struct host_boot *b = &h->boot;
	const struct pci_device *d;
	const char *newer = NULL, *mod, *lacking = NULL;
	char buf[64];
	size_t known = 0;
	int k;

	for (size_t i = 0; i < b->nkernels && !newer; i++)
		if ((k = release_from_6_0(b->kernels[i].release)) == -ENOMEM)
			return k;
		else if (k == 1)
			newer = b->kernels[i].release;
	if (!b->nkernels && h->kernel.release && (k = release_from_6_0(h->kernel.release)) != 0) {
		if (k == -ENOMEM)
			return k;
		if (k == 1)
			newer = h->kernel.release;
	}
	if (!newer || !(d = host_display(h, p)) || h->sys.root_crypt == 0)
		return 0;
	mod = kms_module(h, d, buf, sizeof(buf));
	if (h->sys.root_crypt < 0)
		return strv_push_take(&p->warnings,
				      strdupf("whether / is on dm-crypt is unknown (%s): if it is, add %s (the driver of the "
					      "host's display %s) to the initramfs after the VFIO modules: since kernel 6.0 "
					      "the framebuffer freezes when they load, hiding the passphrase prompt (the "
					      "article, \"Loading vfio-pci early\")",
					      h->sys.root_crypt_unknown, mod ? mod : "the driver", d->name)) < 0 ?
			       -ENOMEM :
			       0;
	/* Its modalias matches nouveau's as well: the bound driver says. */
	if ((d->driver && startswith(d->driver, "nvidia")) || (mod && startswith(mod, "nvidia")))
		return rq->no_kms_early ? 0 : setup_by_hand(p, strdupf("/ is on dm-crypt (%s) and kernel %s is 6.0 or later: the framebuffer "
						"freezes when the VFIO modules load, hiding the passphrase prompt; the "
						"host's display %s runs NVIDIA's proprietary driver, built per kernel: "
						"add nvidia nvidia_modeset nvidia_uvm nvidia_drm to the initramfs after "
						"the VFIO modules, with nvidia_drm.modeset=1 on the kernel command line",
						h->sys.root_crypt_dev, newer, d->name));
	if (!mod)
		return strv_push_take(&p->warnings,
				      strdupf("/ is on dm-crypt (%s) and kernel %s is 6.0 or later: the framebuffer freezes "
					      "when the VFIO modules load, hiding the passphrase prompt; which driver the "
					      "host's display %s needs is unknown (none bound, no single module matches "
					      "it): add it to the initramfs after the VFIO modules",
					      h->sys.root_crypt_dev, newer, d->name)) < 0 ?
			       -ENOMEM :
			       0;
	for (size_t i = 0; i < b->nkernels && !lacking; i++) {
		if (!b->kernels[i].tables)
			continue;
		known++;
		if (!strv_contains(&b->kernels[i].drm, mod))
			lacking = b->kernels[i].release;
	}
	if (rq->no_kms_early || lacking)
		return strv_push_take(&p->warnings,
				      strdupf("/ is on dm-crypt (%s) and kernel %s is 6.0 or later: the framebuffer freezes "
					      "when the VFIO modules load, hiding the passphrase prompt until %s (the host's "
					      "display %s) loads; %s%s%s",
					      h->sys.root_crypt_dev, newer, mod, d->name,
					      lacking ? "it is no loadable module of kernel " : "--no-kms-early: ",
					      lacking ? lacking : "it is left out of the initramfs",
					      lacking ? ": left out of the initramfs list" : "")) < 0 ?
			       -ENOMEM :
			       0;
	if (!strv_contains(&p->modules, mod) && strv_push(&p->modules, mod) < 0)
		return -ENOMEM;
	return strv_push_take(&p->warnings,
			      strdupf("/ is on dm-crypt (%s) and kernel %s is 6.0 or later: the framebuffer freezes when "
				      "the VFIO modules load, hiding the passphrase prompt, until a GPU driver loads (the "
				      "article, \"Loading vfio-pci early\"): %s, the driver of the host's display %s, "
				      "goes into the initramfs after them%s (--no-kms-early leaves it out)",
				      h->sys.root_crypt_dev, newer, mod, d->name, known ? "" : " (unchecked: no modules.dep)")) < 0 ?
		       -ENOMEM :
		       0;
}

/* The VFIO modules for the initramfs: those every installed kernel has as
 * a loadable module (built in: no entry; missing in some kernel: left out,
 * since dracut and mkinitcpio fail on a module a kernel lacks). */
static int choose_modules(const struct host *h, const struct setup_request *rq, struct setup_plan *p, struct error *err)
{
	const struct host_boot *b = &h->boot;
	size_t known = 0;

	for (size_t i = 0; i < b->nkernels; i++) {
		const struct boot_kernel *kn = &b->kernels[i];
		unsigned pci = 1u << VFIO_MOD_VFIO_PCI;
		if (!kn->tables)
			continue;
		known++;
		if (!((kn->module | kn->builtin) & pci))
			return fail(err, strdupf("kernel %s has no vfio_pci module and does not build it in: vfio-pci cannot "
						 "take the devices at boot with it; boot a kernel built with "
						 "CONFIG_VFIO_PCI ('vfiokit check')",
						 kn->release));
	}
	for (unsigned m = 0; m < _VFIO_MOD_MAX; m++) {
		bool everywhere = known > 0, somewhere = false;
		for (size_t i = 0; i < b->nkernels; i++) {
			const struct boot_kernel *kn = &b->kernels[i];
			if (!kn->tables)
				continue;
			everywhere &= (kn->module >> m) & 1;
			somewhere |= ((kn->module | kn->builtin) >> m) & 1;
		}
		if (everywhere) {
			if (strv_push(&p->modules, vfio_module_name(m)) < 0)
				return -ENOMEM;
		} else if (somewhere && m != VFIO_MOD_VIRQFD &&
			   strv_push_take(&p->warnings, strdupf("%s is built into some kernels and a module in others: "
								"left out of the initramfs list",
								vfio_module_name(m))) < 0)
			return -ENOMEM;
	}
	if (!known) {
		for (unsigned m = 0; m < VFIO_MOD_VIRQFD; m++)
			if (strv_push(&p->modules, vfio_module_name(m)) < 0)
				return -ENOMEM;
		if (strv_push(&p->warnings, "no installed kernel's modules.dep could be read: the usual VFIO modules are "
					    "listed, unchecked") < 0)
			return -ENOMEM;
	}
	return kms_early(h, rq, p);
}

/* Where modprobe.d's ids= is never read, vfio-pci.ids= goes on the kernel
 * command line: a kernel with vfio-pci built in (some Ubuntu and Pop!_OS
 * kernels: no modprobe runs for it), and booster (it ignores modprobe.d). */
static int ids_on_cmdline(const struct host *h, struct setup_plan *p)
{
	const struct host_boot *b = &h->boot;
	const char *builtin = NULL, *ignores = NULL;
	_cleanup_(strv_clear) struct strv all = { 0 };
	_cleanup_free_ char *ids = NULL;
	int k = 0;

	/* Every card's IDs: those of earlier setups first, as they stand. */
	for (size_t i = 0; i < p->kept.n && k >= 0; i++)
		k = strv_push(&all, p->kept.v[i]);
	for (size_t i = 0; i < p->ids.n && k >= 0; i++)
		k = strv_push(&all, p->ids.v[i]);
	if (k < 0 || !(ids = strv_join(&all, ",")))
		return -ENOMEM;
	for (size_t i = 0; i < b->nkernels && !builtin; i++)
		if (b->kernels[i].builtin & (1u << VFIO_MOD_VFIO_PCI))
			builtin = b->kernels[i].release;
	for (size_t i = 0; i < b->nfound && !ignores; i++)
		if (b->found[i].be->ignores_modprobe_d)
			ignores = b->found[i].be->name;
	if (!builtin && !ignores)
		return 0;
	if (p->by_address)
		return strv_push_take(&p->warnings,
				      strdupf("%s%s: the driver_override script runs only where modprobe loads vfio-pci "
					      "from the initramfs; identical cards cannot be told apart by ID, so set "
					      "the guest's driver_override another way (vfiokit bind after boot)",
					      builtin ? "vfio-pci is built into kernel " : ignores,
					      builtin ? builtin : " ignores modprobe.d")) < 0 ?
			       -ENOMEM :
			       0;
	if (strv_push_take(&p->params, strdupf("vfio-pci.ids=%s", ids)) < 0)
		return -ENOMEM;
	return strv_push_take(&p->warnings,
			      builtin ? strdupf("vfio-pci is built into kernel %s: modprobe.d's options are never read "
						"for it, so the IDs go on the kernel command line (vfio-pci.ids=)",
						builtin) :
					strdupf("%s ignores modprobe.d's options: the IDs go on the kernel command line "
						"as well (vfio-pci.ids=)", ignores)) < 0 ?
		       -ENOMEM :
		       0;
}

/* A plan's problem line: "WHAT: PROBLEM"; the problem is freed. */
int setup_by_hand(struct setup_plan *p, char *line)
{
	return strv_push_take(&p->manual, line) < 0 ? -ENOMEM : 0;
}

/* /etc/modprobe.d/vfio.conf: vfiokit's lines in the user's file. */
static int modprobe_conf(const struct host *h, struct setup_plan *p)
{
	static const char header[] = "# Written by vfiokit setup: vfio-pci takes these devices at boot, before their own\n"
				     "# drivers (the article's \"Isolating the GPU\"). 'vfiokit undo' takes it back.\n";
	_cleanup_(strv_clear) struct strv ids = { 0 };
	char *text = NULL, *problem = NULL;
	int k = 0;

	/* By address, ids= would take the identical host card: only the IDs
	 * earlier setups gave vfio-pci stay. */
	for (size_t i = 0; i < p->kept.n && k >= 0; i++)
		k = strv_push(&ids, p->kept.v[i]);
	for (size_t i = 0; i < p->ids.n && k >= 0 && !p->by_address; i++)
		if (!strv_contains(&ids, p->ids.v[i]))
			k = strv_push(&ids, p->ids.v[i]);
	if (k < 0)
		return -ENOMEM;
	k = modprobe_vfio_edit(h->boot.modprobe_vfio, header, &ids, p->by_address ? "/" OVERRIDE_SCRIPT : NULL,
			       &p->softdeps, &text, &problem);
	if (k == -EINVAL) {
		_cleanup_free_ char *list = strv_join(&ids, ",");
		k = setup_by_hand(p, list ? strdupf("modprobe.d: /etc/modprobe.d/vfio.conf %s: add %s to the ids= of "
						  "vfio-pci's options line", problem, list) : NULL);
	} else if (k >= 0)
		k = setup_add_file(p, "etc/modprobe.d/vfio.conf", text);
	free(problem);
	return k < 0 ? -ENOMEM : 0;
}

/* The values of every vfio-pci.ids= (or vfio_pci.ids=) of a command line
 * text, comment lines left out, added to ids. */
static int cmdline_ids(const char *text, struct strv *ids)
{
	for (const char *l = text; l && *l; l = next_line(l)) {
		const char *s = l + strspn(l, " \t"), *e = s + strcspn(s, "\n");
		if (*s == '#')
			continue;
		for (const char *t = s; t < e; t++) {
			const char *v, *ve;
			if ((t > s && !isspace((unsigned char)t[-1]) && !strchr("\"'", t[-1])) ||
			    (!startswith(t, "vfio-pci.ids=") && !startswith(t, "vfio_pci.ids=")))
				continue;
			v = t + strlen("vfio-pci.ids=");
			ve = v + strcspn(v, " \t\n\"'");
			for (const char *c = v; c < ve;) {
				const char *ce = memchr(c, ',', (size_t)(ve - c));
				_cleanup_free_ char *id = strndup(c, (size_t)((ce ? ce : ve) - c));
				if (!id || (*id && !strv_contains(ids, id) && strv_push(ids, id) < 0))
					return -ENOMEM;
				c = ce ? ce + 1 : ve;
			}
		}
	}
	return 0;
}

/* Every kernel command line the backends' files hold, installed or not:
 * the files that are command lines, then what the others hold. */
int cmdline_texts(const struct host_boot *b, struct strv *texts)
{
	int k = 0;

	for (size_t i = 0; i < b->files.n && k >= 0; i++)
		if (b->files.v[i].cmdline)
			k = strv_push(texts, b->files.v[i].text);
	for (const struct boot_backend *const *be = boot_backends; *be && k >= 0; be++)
		if ((*be)->cmdline_texts)
			k = (*be)->cmdline_texts(b, texts);
	return k < 0 ? -ENOMEM : 0;
}

/* The IDs earlier setups (or the user) gave vfio-pci in the files setup
 * edits, which this one keeps: /etc/modprobe.d/vfio.conf's ids= and the
 * vfio-pci.ids= of the command lines. A second card's setup must not
 * take the first card's isolation away. */
static int kept_ids(const struct host *h, struct setup_plan *p)
{
	const struct host_boot *b = &h->boot;
	_cleanup_(strv_clear) struct strv all = { 0 }, texts = { 0 };
	struct modprobe_conf mc = { 0 };
	size_t elsewhere = 0;
	int k = b->modprobe_vfio ? modprobe_conf_parse(b->modprobe_vfio, &mc) : 0;

	for (size_t i = 0; i < mc.vfio_ids.n && k >= 0; i++)
		k = strv_push(&all, mc.vfio_ids.v[i]);
	modprobe_conf_free(&mc);
	if (k >= 0)
		k = cmdline_texts(b, &texts);
	for (size_t i = 0; i < texts.n && k >= 0; i++)
		k = cmdline_ids(texts.v[i], &all);
	/* ids= in another modprobe.d file: modprobe joins every options line
	 * of vfio-pci, and the last ids= it reads is the one vfio-pci keeps. */
	for (size_t i = 0; i < b->modprobe.vfio_ids.n && k >= 0; i++)
		if (!strv_contains(&all, b->modprobe.vfio_ids.v[i]) &&
		    (k = strv_push(&all, b->modprobe.vfio_ids.v[i])) >= 0 && !elsewhere++)
			k = strv_push(&p->warnings, "another modprobe.d file than /etc/modprobe.d/vfio.conf gives vfio-pci "
						    "ids=: vfio-pci keeps only the last ids= modprobe reads, so its IDs "
						    "are added to vfio.conf too; remove that ids= line");
	for (size_t i = 0; i < all.n && k >= 0; i++)
		if (!strv_contains(&p->ids, all.v[i]))
			k = strv_push(&p->kept, all.v[i]);
	return k < 0 ? -ENOMEM : 0;
}

/* The backends of one kind that plan, in order, and what says none is
 * installed. */
static int plan_backends(const struct host *h, struct setup_plan *p, enum boot_kind kind,
			 const struct cmdline_edits *edits, const char *params)
{
	const struct host_boot *b = &h->boot;
	_cleanup_free_ char *mods = strv_join(&p->modules, " ");
	bool any = false;
	int k;

	if (!mods)
		return -ENOMEM;
	for (size_t i = 0; i < b->nfound; i++) {
		const struct boot_found *f = &b->found[i];
		const struct boot_plan_ctx c = { h, f->be, p, edits, params, mods, f->regen };
		if (f->be->kind != kind)
			continue;
		any = true;
		if (boot_active(b, f->be) && (k = boot_plan(&c)) < 0)
			return k;
	}
	if (any)
		return 0;
	if (kind == BOOT_GENERATOR)
		return strv_push(&p->warnings, "no initramfs generator found: vfio-pci loads late, and the devices' "
					       "drivers may take them first") < 0 ?
			       -ENOMEM :
			       0;
	return setup_by_hand(p, strdupf("no known bootloader found: add \"%s\" to the kernel command line by hand",
					params));
}

bool cmdline_has_word(const char *text, const char *word)
{
	size_t wl = strlen(word);

	for (const char *t = text; (t = strstr(t, word)); t += wl)
		if ((t == text || isspace((unsigned char)t[-1]) || strchr("\"'", t[-1])) &&
		    (!t[wl] || isspace((unsigned char)t[wl]) || strchr("\"'", t[wl])))
			return true;
	return false;
}

/* Whether a boot file setup edits has tok: what the next boot reads, never
 * /proc/cmdline (a parameter typed once at the boot menu is not there). */
static int boot_files_have(const struct host *h, const char *tok, bool *ret)
{
	_cleanup_(strv_clear) struct strv texts = { 0 };

	*ret = false;
	if (cmdline_texts(&h->boot, &texts) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < texts.n && !*ret; i++)
		*ret = cmdline_has_word(texts.v[i], tok);
	return 0;
}

int setup_exec_pair(struct setup_plan *p, char *run, char *undo)
{
	int k = run && undo && strv_push(&p->exec, run) >= 0 ? 0 : -ENOMEM;

	if (k == 0 && strv_push(&p->exec_undo, undo) < 0) {
		strv_pop(&p->exec);
		k = -ENOMEM;
	}
	free(run);
	free(undo);
	return k;
}

/* The IOMMU the parameters are for: the firmware's, as host_iommu_kind()
 * judges it for every command, unless the user names it. Refused when the
 * tables cannot tell. */
static int iommu_kind(const struct host *h, const struct setup_request *rq, struct setup_plan *p, struct error *err)
{
	static const char how[] = "name the IOMMU with --iommu intel or --iommu amd";
	enum iommu_kind kind = host_iommu_kind(h);

	if (rq->iommu != SETUP_IOMMU_DETECT) {
		bool intel = rq->iommu == SETUP_IOMMU_INTEL;
		p->iommu = rq->iommu;
		p->iommu_named = true;
		if (kind == (intel ? IOMMU_KIND_AMD : IOMMU_KIND_INTEL) &&
		    strv_push_take(&p->warnings, strdupf("--iommu %s overrides the firmware, which reports %s",
							 intel ? "intel" : "amd",
							 intel ? "IVRS (AMD-Vi)" : "DMAR (Intel VT-d)")) < 0)
			return -ENOMEM;
		return 0;
	}
	switch (kind) {
	case IOMMU_KIND_UNREAD:
		return fail(err, strdupf("no ACPI table could be read in /sys/firmware/acpi/tables: cannot tell whether "
					 "the IOMMU is Intel VT-d (DMAR) or AMD-Vi (IVRS), so no IOMMU parameter can be "
					 "chosen; %s", how));
	case IOMMU_KIND_BOTH:
		return fail(err, strdupf("the firmware reports both DMAR (Intel VT-d) and IVRS (AMD-Vi) in "
					 "/sys/firmware/acpi/tables: cannot tell which IOMMU the kernel uses; %s", how));
	case IOMMU_KIND_NONE:
		return fail(err, strdupf("the firmware reports no IOMMU: neither DMAR (Intel VT-d) nor IVRS (AMD-Vi) "
					 "among the %zu ACPI tables in /sys/firmware/acpi/tables; enable VT-d or AMD-Vi "
					 "in the firmware setup (see 'vfiokit check'), or %s",
					 h->iommu.acpi_tables.n, how));
	case IOMMU_KIND_INTEL:
		p->iommu = SETUP_IOMMU_INTEL;
		break;
	case IOMMU_KIND_AMD:
		p->iommu = SETUP_IOMMU_AMD;
		break;
	}
	return 0;
}

/* An intel_iommu= of the boot files whose options (comma-separated,
 * kernel-parameters.txt) turn VT-d on with more: "intel_iommu=on,igfx_off"
 * is kept whole rather than replaced by intel_iommu=on. NULL: none. */
static int intel_iommu_there(const struct host *h, char **ret)
{
	static const char key[] = "intel_iommu=";
	_cleanup_(strv_clear) struct strv texts = { 0 };

	*ret = NULL;
	if (cmdline_texts(&h->boot, &texts) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < texts.n; i++)
		for (const char *t = texts.v[i]; (t = strstr(t, key)); t += strlen(key)) {
			size_t n = strcspn(t, " \t\n\"'");
			_cleanup_free_ char *w = NULL;
			bool on = false, off = false;
			if (t != texts.v[i] && !isspace((unsigned char)t[-1]) && !strchr("\"'", t[-1]))
				continue;
			if (!(w = strndup(t + strlen(key), n - strlen(key))))
				return -ENOMEM;
			for (char *s = NULL, *o = strtok_r(w, ",", &s); o; o = strtok_r(NULL, ",", &s)) {
				on |= streq(o, "on");
				off |= streq(o, "off");
			}
			if (on && !off && n > strlen(key) + 2)
				return (*ret = strndup(t, n)) ? 0 : -ENOMEM;
		}
	return 0;
}

/* The parameters to add: intel_iommu=on for VT-d, which the kernel leaves
 * off by default (the article: CONFIG_INTEL_IOMMU_DEFAULT_ON is not set);
 * none for AMD-Vi, on whenever the firmware reports it. */
static int iommu_params(const struct host *h, const struct setup_request *rq, struct setup_plan *p)
{
	_cleanup_free_ char *intel = NULL;
	bool there = true;

	if (p->iommu == SETUP_IOMMU_INTEL &&
	    (intel_iommu_there(h, &intel) < 0 || strv_push(&p->params, intel ? intel : "intel_iommu=on") < 0))
		return -ENOMEM;
	if (rq->iommu_pt && strv_push(&p->params, "iommu=pt") < 0)
		return -ENOMEM;
	/* Already in the boot files, yet the IOMMU is off: the machine has
	 * not booted with them since. */
	for (size_t i = 0; i < p->params.n && there; i++)
		if (boot_files_have(h, p->params.v[i], &there) < 0)
			return -ENOMEM;
	if (p->iommu == SETUP_IOMMU_AMD && !h->ngroups &&
	    strv_push(&p->warnings, "the IOMMU is off (no IOMMU groups), though AMD-Vi needs no parameter: the kernel "
				    "turns it on whenever the firmware reports it, unless amd_iommu=off or iommu=off "
				    "says otherwise; see 'vfiokit check' and dmesg") < 0)
		return -ENOMEM;
	if (p->params.n && there && !h->ngroups) {
		_cleanup_free_ char *list = strv_join(&p->params, " ");
		if (!list || strv_push_take(&p->warnings,
					    strdupf("the boot files already have %s, yet the IOMMU is off (no IOMMU "
						    "groups): reboot, after regenerating what boots from them if they "
						    "were edited by hand (update-grub, ...)",
						    list)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A parameter the running kernel has (typed at the boot menu, or set where
 * setup does not look) but no boot file setup edits: it is written now,
 * and said where. The files and commands the bootloaders planned are
 * those from first_file and first_exec on. */
static int running_only(const struct host *h, struct setup_plan *p, size_t first_file, size_t first_exec)
{
	for (size_t i = 0; i < p->params.n; i++) {
		const char *tok = p->params.v[i];
		_cleanup_(strv_clear) struct strv where = { 0 };
		_cleanup_free_ char *list = NULL;
		bool there;
		int k = 0;

		if (!h->kernel.cmdline_raw || !cmdline_has_word(h->kernel.cmdline_raw, tok))
			continue;
		if (boot_files_have(h, tok, &there) < 0)
			return -ENOMEM;
		if (there)
			continue;
		for (size_t j = first_file; j < p->nfiles && k >= 0; j++)
			k = strv_push_take(&where, strdupf("/%s", p->files[j].path));
		for (size_t j = first_exec; j < p->exec.n && k >= 0; j++)
			k = strv_push(&where, p->exec.v[j]);
		if (k < 0 || !(list = strv_join(&where, ", ")))
			return -ENOMEM;
		if (strv_push_take(&p->warnings,
				   strdupf("the running kernel has %s (typed at the boot menu, or set where setup does not "
					   "look), but no boot file setup edits has it: %s%s%s",
					   tok, where.n ? "setup writes it (" : "add it by hand (below)", list,
					   where.n ? ")" : "")) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The kernel command line, for every bootloader found. */
static int cmdline(const struct host *h, struct setup_plan *p, const char *params)
{
	/* For the file edits: the parameters set, then each stale one removed. */
	_cleanup_(cmdline_edits_clear) struct cmdline_edits edits = { 0 };

	for (size_t i = 0; i < p->params.n; i++)
		if (cmdline_edits_add(&edits, CMDLINE_SET, p->params.v[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < p->stale.n; i++)
		if (cmdline_edits_add(&edits, CMDLINE_REMOVE, p->stale.v[i]) < 0)
			return -ENOMEM;
	return plan_backends(h, p, BOOT_LOADER, &edits, params);
}

/* ------------------------------------------- declarative systems */

/* A Nix string: "..." with \, " and ${ escaped. */
static void nix_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || (*s == '$' && s[1] == '{'))
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void nix_list(FILE *f, const char *key, const struct strv *v)
{
	if (!v->n)
		return;
	fprintf(f, "  %s = [", key);
	for (size_t i = 0; i < v->n; i++) {
		fputc(' ', f);
		nix_str(f, v->v[i]);
	}
	fputs(" ];\n", f);
}

/* The IDs for vfio-pci's ids=: earlier setups' first (by address, only those). */
static int plan_all_ids(const struct setup_plan *p, struct strv *ids)
{
	int k = 0;

	for (size_t i = 0; i < p->kept.n && k >= 0; i++)
		k = strv_push(ids, p->kept.v[i]);
	for (size_t i = 0; i < p->ids.n && k >= 0 && !p->by_address; i++)
		if (!strv_contains(ids, p->ids.v[i]))
			k = strv_push(ids, p->ids.v[i]);
	return k < 0 ? -ENOMEM : 0;
}

/* NixOS: boot.kernelParams, boot.initrd.kernelModules and
 * boot.extraModprobeConfig (its options: /etc is generated). */
static int nixos_text(const struct host *h, const struct setup_plan *p, FILE *f)
{
	_cleanup_(strv_clear) struct strv ids = { 0 };
	_cleanup_free_ char *list = NULL;

	if (plan_all_ids(p, &ids) < 0 || !(list = strv_join(&ids, ",")))
		return -ENOMEM;
	fputs("NixOS generates /etc and its boot files from its configuration: setup edits nothing here. Put this "
	      "in /etc/nixos/configuration.nix, then run 'nixos-rebuild boot' and reboot:\n",
	      f);
	nix_list(f, "boot.kernelParams", &p->params);
	nix_list(f, "boot.initrd.kernelModules", &p->modules);
	fputs("  boot.extraModprobeConfig = ''\n", f);
	if (ids.n)
		fprintf(f, "    options vfio-pci ids=%s\n", list);
	for (size_t i = 0; i < p->softdeps.n; i++)
		fprintf(f, "    softdep %s pre: vfio-pci\n", p->softdeps.v[i]);
	fputs("  '';\n", f);
	if (p->by_address) {
		/* Identical cards: driver_override by address before udev
		 * loads their drivers, then a probe binds them to vfio-pci. */
		fputs("  boot.initrd.preDeviceCommands = ''\n    for DEV in", f);
		for (size_t i = 0; i < p->ndevs; i++)
			fprintf(f, " %s", h->pci[p->devs[i]].name);
		fputs("; do\n      echo vfio-pci > /sys/bus/pci/devices/$DEV/driver_override\n"
		      "      echo $DEV > /sys/bus/pci/drivers_probe\n    done\n  '';\n",
		      f);
	}
	return 0;
}

/* A data: URL (RFC 2397) with everything but unreserved characters
 * percent-encoded. */
static void data_url(FILE *f, const char *s)
{
	fputs("data:,", f);
	for (; *s; s++)
		if (isalnum((unsigned char)*s) || strchr("-._~", *s))
			fputc(*s, f);
		else
			fprintf(f, "%%%02X", (unsigned char)*s);
}

/* RHCOS: a MachineConfig (the Machine Config Operator owns the node's
 * files and kernel arguments), with the plan's modprobe.d file (and the
 * driver_override script) as Ignition files. */
static int rhcos_text(const struct setup_plan *p, FILE *f)
{
	fputs("RHCOS is configured by its cluster's Machine Config Operator: setup edits nothing here. Apply this "
	      "MachineConfig ('oc apply -f FILE'; for the worker role, change it for another), and the nodes reboot "
	      "with it:\n"
	      "apiVersion: machineconfiguration.openshift.io/v1\n"
	      "kind: MachineConfig\n"
	      "metadata:\n"
	      "  name: 100-worker-vfio-pci\n"
	      "  labels:\n"
	      "    machineconfiguration.openshift.io/role: worker\n"
	      "spec:\n",
	      f);
	if (p->params.n) {
		fputs("  kernelArguments:\n", f);
		for (size_t i = 0; i < p->params.n; i++)
			fprintf(f, "    - %s\n", p->params.v[i]);
	}
	fputs("  config:\n    ignition:\n      version: 3.2.0\n    storage:\n      files:\n", f);
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct setup_file *sf = &p->files[i];
		if (!startswith(sf->path, "etc/modprobe.d/") && !streq(sf->path, OVERRIDE_SCRIPT))
			continue;
		fprintf(f, "        - path: /%s\n          mode: %u\n          overwrite: true\n          contents:\n"
			   "            source: ",
			sf->path, sf->mode);
		data_url(f, sf->content);
		fputc('\n', f);
	}
	fputs("        - path: /etc/modules-load.d/vfio-pci.conf\n          mode: 420\n          overwrite: true\n"
	      "          contents:\n            source: ",
	      f);
	data_url(f, "vfio-pci\n");
	fputc('\n', f);
	return 0;
}

/* Harvester: its PCI devices add-on binds vfio-pci itself, one
 * PCIDeviceClaim per device. */
static int harvester_text(const struct host *h, const struct setup_plan *p, FILE *f)
{
	fputs("Harvester hands devices to its virtual machines itself: setup edits nothing here. Enable the "
	      "pcidevices-controller add-on (Advanced > Add-ons), then claim each device (Hosts > PCI Devices > "
	      "Enable Passthrough, or 'kubectl apply -f FILE' with NODE the node's name):\n",
	      f);
	for (size_t i = 0; i < p->ndevs; i++) {
		const char *a = h->pci[p->devs[i]].name;
		fputs(i ? "---\n" : "", f);
		fputs("apiVersion: devices.harvesterhci.io/v1beta1\nkind: PCIDeviceClaim\nmetadata:\n  name: NODE-", f);
		for (const char *c = a; *c; c++)
			if (isxdigit((unsigned char)*c))
				fputc(*c, f);
		fprintf(f, "\nspec:\n  address: \"%s\"\n  nodeName: NODE\n  userName: admin\n", a);
	}
	if (p->params.n) {
		_cleanup_free_ char *params = strv_join(&p->params, " ");
		if (!params)
			return -ENOMEM;
		fprintf(f, "# and on the kernel command line (Harvester's GRUB settings): %s\n", params);
	}
	return 0;
}

/* Read-only or declarative systems, whose files setup must not edit,
 * are refused with their native settings, built from the plan. Fedora
 * CoreOS and Silverblue (rpm-ostree) and Proxmox have backends. */
static int refuse_declarative(const struct host *h, const struct setup_plan *p, struct error *err)
{
	const struct host_system *s = &h->sys;
	/* VARIANT alone tells Harvester; an os-release without ID is no reason to miss it. */
	bool nixos = s->os_id && streq(s->os_id, "nixos"), rhcos = s->os_id && streq(s->os_id, "rhcos");
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int k;

	if (!nixos && !rhcos && !(s->os_variant && strcasecmp(s->os_variant, "Harvester") == 0))
		return 0;
	if (!(f = open_memstream(&text, &len)))
		return -ENOMEM;
	k = nixos ? nixos_text(h, p, f) : rhcos ? rhcos_text(p, f) : harvester_text(h, p, f);
	if (fclose(f) != 0 || k < 0) {
		free(text);
		return -ENOMEM;
	}
	return fail(err, text);
}

int setup_plan_make(const struct host *h, const struct setup_request *rq, struct setup_plan *ret, struct error *err)
{
	const struct host_boot *b = &h->boot;
	struct setup_plan p = { 0 };
	_cleanup_free_ char *params = NULL;
	size_t first_file, first_exec;
	int k;

	p.iommu_only = !rq->has_gpu;
	if ((k = iommu_kind(h, rq, &p, err)) < 0)
		goto out;
	if (rq->has_gpu && (k = add_group(h, &rq->gpu, rq, &p, err)) < 0)
		goto out;
	for (size_t i = 0; i < rq->nwith && rq->has_gpu; i++)
		if ((k = add_group(h, &rq->with[i], rq, &p, err)) < 0)
			goto out;
	if (p.groups_unknown &&
	    strv_push(&p.warnings, "the IOMMU is off (no IOMMU groups): the devices are taken by ID as named, without "
				   "their groups, which are unknown until the reboot that turns it on; after that "
				   "reboot, 'vfiokit verify' judges each device's group (every other device in it must "
				   "be on vfio-pci too)") < 0)
		goto oom;
	for (size_t i = 0; i < p.ndevs; i++) {
		const struct pci_device *d = &h->pci[p.devs[i]];
		_cleanup_free_ char *id = strdupf("%04x:%04x", d->vendor, d->device);
		if (!id)
			goto oom;
		if (d->boot_vga == 1 &&
		    strv_push_take(&p.warnings, strdupf("%s is the boot GPU: the firmware uses it and may hand the guest "
							"a modified copy of its ROM; make another GPU the boot GPU, or "
							"swap the cards (the article, \"Passing the boot GPU to the guest\")",
							d->name)) < 0)
			goto oom;
		if (!strv_contains(&p.ids, id) && strv_push(&p.ids, id) < 0)
			goto oom;
		for (size_t j = 0; j < d->modules.n; j++) {
			const char *m = d->modules.v[j];
			if (!streq(m, "vfio_pci") && !streq(m, "pci_stub") && !strv_contains(&p.softdeps, m) &&
			    strv_push(&p.softdeps, m) < 0)
				goto oom;
		}
	}
	/* ids= would take an identical card of the host as well: then the
	 * article's driver_override script, by address. */
	for (size_t i = 0; i < h->npci && !p.by_address; i++) {
		const struct pci_device *d = &h->pci[i];
		_cleanup_free_ char *id = strdupf("%04x:%04x", d->vendor, d->device);
		if (!id)
			goto oom;
		if (!has_dev(&p, i) && !pci_is_bridge_role(d->role) && strv_contains(&p.ids, id)) {
			p.by_address = true;
			if (strv_push_take(&p.warnings, strdupf("%s has the ID %s too: ids= would take it from the host as "
								"well, so vfio-pci takes the devices by address, with the "
								"article's driver_override script (\"Using identical guest "
								"and host GPUs\")", d->name, id)) < 0)
				goto oom;
		}
	}
	/* Kernel parameters: by the IOMMU the firmware reports. */
	if ((k = iommu_params(h, rq, &p)) < 0)
		goto out;
	/* The IOMMU step alone plans the command line and nothing else. */
	if (!p.iommu_only && ((k = kept_ids(h, &p)) < 0 || (k = choose_modules(h, rq, &p, err)) < 0))
		goto out;
	if (!p.iommu_only && (k = ids_on_cmdline(h, &p)) < 0)
		goto out;

	if (!p.iommu_only && (k = modprobe_conf(h, &p)) < 0)
		goto out;
	if (p.by_address) {
		struct strv devs = { 0 };
		_cleanup_free_ char *list = NULL, *script = NULL;
		/* An earlier setup's devices stay in the script, first. */
		if (override_script_devs(b->override_script, &devs) < 0) {
			strv_clear(&devs);
			goto oom;
		}
		for (size_t i = 0; i < p.ndevs; i++)
			if (!strv_contains(&devs, h->pci[p.devs[i]].name) && strv_push(&devs, h->pci[p.devs[i]].name) < 0) {
				strv_clear(&devs);
				goto oom;
			}
		list = strv_join(&devs, " ");
		strv_clear(&devs);
		if (!list)
			goto oom;
		/* An earlier script's DEVS= is outside text, and the new script runs
		 * as root at boot: only bytes the shell takes literally go back in. */
		if ((k = override_script(list, &script)) == -EINVAL) {
			k = fail(err, strdupf("/%s: its DEVS= holds shell syntax or control characters where PCI "
					      "addresses belong; fix or remove the file, then run 'vfiokit setup' again",
					      OVERRIDE_SCRIPT));
			goto out;
		}
		if (k < 0 || (k = setup_add_file(&p, OVERRIDE_SCRIPT, TAKE_PTR(script))) < 0)
			goto oom;
	}
	if (!p.iommu_only && (k = plan_backends(h, &p, BOOT_GENERATOR, NULL, NULL)) < 0)
		goto out;

	/* For AMD-Vi, amd_iommu=on is no value the kernel takes, and
	 * amd_iommu=off turns the IOMMU off; iommu=off turns either off
	 * (intel_iommu=off is replaced by intel_iommu=on, iommu=off by
	 * --iommu-pt's iommu=pt): removed wherever a boot file has them. */
	for (size_t i = p.iommu == SETUP_IOMMU_AMD ? 0 : 2; i < 3; i++) {
		static const char *const toks[] = { "amd_iommu=on", "amd_iommu=off", "iommu=off" };
		const char *tok = toks[i];
		const char *why = i ? "it turns the IOMMU off" :
				      "the kernel takes no such value (on AMD the IOMMU is on when the firmware "
				      "reports it)";
		bool there;
		if (i == 2 && rq->iommu_pt)
			continue;
		if (boot_files_have(h, tok, &there) < 0)
			goto oom;
		if (there) {
			if (strv_push(&p.stale, tok) < 0 ||
			    strv_push_take(&p.warnings, strdupf("%s is removed from the kernel command line: %s",
								tok, why)) < 0)
				goto oom;
		} else if (h->kernel.cmdline_raw && cmdline_has_word(h->kernel.cmdline_raw, tok) &&
			   strv_push_take(&p.manual, strdupf("the running kernel has %s, but none of the files "
							     "setup edits sets it: remove it where it is set "
							     "(%s)", tok, why)) < 0)
			goto oom;
	}
	if ((k = kparams_plan(h, &rq->tune, &p, err)) < 0)
		goto out;
	params = strv_join(&p.params, " ");
	if (!params)
		goto oom;
	first_file = p.nfiles;
	first_exec = p.exec.n;
	if ((p.params.n || p.stale.n) && (k = cmdline(h, &p, params)) < 0)
		goto out;
	if ((k = running_only(h, &p, first_file, first_exec)) < 0)
		goto out;
	if ((k = refuse_declarative(h, &p, err)) < 0)
		goto out;
	*ret = p;
	return 0;
oom:
	k = -ENOMEM;
out:
	setup_plan_free(&p);
	return k;
}

int setup_tune_plan_make(const struct host *h, const struct kparams_request *rq, struct setup_plan *ret,
			 struct error *err)
{
	struct setup_plan p = { 0 };
	_cleanup_free_ char *params = NULL;
	int k = kparams_plan(h, rq, &p, err);

	if (k >= 0 && !(params = strv_join(&p.params, " ")))
		k = -ENOMEM;
	if (k >= 0 && p.params.n)
		k = cmdline(h, &p, params);
	if (k >= 0)
		k = refuse_declarative(h, &p, err);
	if (k < 0) {
		setup_plan_free(&p);
		return k;
	}
	*ret = p;
	return 0;
}
