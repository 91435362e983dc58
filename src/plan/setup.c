/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>

#include "boot/backend.h"
#include "isolation.h"
#include "setup.h"

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
	*p = (struct setup_plan){ 0 };
}

static int fail(char **err, char *msg)
{
	*err = msg;
	return msg ? -EINVAL : -ENOMEM;
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

/* Every endpoint of the group of a (refusing a shared group unless asked). */
static int add_group(const struct host *h, const struct pci_addr *a, const struct setup_request *rq,
		     struct setup_plan *p, char **err)
{
	const struct pci_device *d = host_find_pci(h, a);
	const struct iommu_group *g;
	struct group_assessment as = { 0 };
	char name[PCI_ADDR_STRLEN];
	int k;

	format_pci_addr(a, name);
	if (!d)
		return fail(err, strdupf("there is no PCI device %s", name));
	if (pci_is_bridge_role(d->role))
		return fail(err, strdupf("%s is a PCI bridge: bridges and root ports stay on the host; name the devices "
					 "behind it", name));
	if (d->iommu_group < 0 || !(g = host_find_group(h, d->iommu_group)))
		return fail(err, strdupf("%s is in no IOMMU group: the IOMMU is off (see 'vfiokit check'); set up its "
					 "parameters first", name));
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
	for (size_t i = 0; i < g->ndevs; i++) {
		size_t idx = g->devs[i];
		if (pci_is_bridge_role(h->pci[idx].role) || has_dev(p, idx))
			continue;
		if (GROW(p->devs, p->devs_alloc, p->ndevs + 1) < 0)
			return -ENOMEM;
		p->devs[p->ndevs++] = idx;
	}
	return 0;
}

/* The VFIO modules for the initramfs: those every installed kernel has as
 * a loadable module (built in: no entry; missing in some kernel: left out,
 * since dracut and mkinitcpio fail on a module a kernel lacks). */
static int choose_modules(const struct host *h, struct setup_plan *p, char **err)
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
						 "take the devices at boot with it",
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
	return 0;
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
static int cmdline_texts(const struct host_boot *b, struct strv *texts)
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

/* The devices of the DEVS="..." line of the driver_override script setup
 * writes (text NULL: none), added to devs. */
static int script_devs(const char *text, struct strv *devs)
{
	for (const char *l = text; l && *l; l = next_line(l)) {
		const char *e;
		if (!startswith(l, "DEVS=\""))
			continue;
		l += strlen("DEVS=\"");
		e = l + strcspn(l, "\"\n");
		while (l < e) {
			size_t n = strcspn(l, " \t\"\n");
			_cleanup_free_ char *d = n ? strndup(l, n) : NULL;
			if (n && (!d || (!strv_contains(devs, d) && strv_push(devs, d) < 0)))
				return -ENOMEM;
			l += n;
			l += strspn(l, " \t");
		}
		break;
	}
	return 0;
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

/* Whether a boot file setup edits has tok. */
static int stale_present(const struct host *h, const char *tok, bool *ret)
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

int setup_plan_make(const struct host *h, const struct setup_request *rq, struct setup_plan *ret, char **err)
{
	const struct host_boot *b = &h->boot;
	struct setup_plan p = { 0 };
	_cleanup_free_ char *params = NULL;
	int k;

	*err = NULL;
	if ((k = add_group(h, &rq->gpu, rq, &p, err)) < 0)
		goto out;
	for (size_t i = 0; i < rq->nwith; i++)
		if ((k = add_group(h, &rq->with[i], rq, &p, err)) < 0)
			goto out;
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
	/* Kernel parameters: the article's intel_iommu=on on Intel; on AMD the
	 * IOMMU is on by default. */
	if (host_cpu_vendor(h) == CPU_INTEL) {
		if (strv_push(&p.params, "intel_iommu=on") < 0)
			goto oom;
	} else if (host_cpu_vendor(h) != CPU_AMD) {
		if (strv_push(&p.warnings, "the CPU vendor is unknown: no IOMMU parameter added (intel_iommu=on is for "
					   "Intel; AMD needs none)") < 0)
			goto oom;
	}
	if (rq->iommu_pt && strv_push(&p.params, "iommu=pt") < 0)
		goto oom;
	if ((k = kept_ids(h, &p)) < 0 || (k = choose_modules(h, &p, err)) < 0)
		goto out;
	if ((k = ids_on_cmdline(h, &p)) < 0)
		goto out;

	if ((k = modprobe_conf(h, &p)) < 0)
		goto out;
	if (p.by_address) {
		struct strv devs = { 0 };
		_cleanup_free_ char *list = NULL;
		/* An earlier setup's devices stay in the script, first. */
		if (script_devs(b->override_script, &devs) < 0) {
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
		if (!list || (k = setup_add_file(&p, OVERRIDE_SCRIPT,
					   strdupf("#!/bin/sh\n"
						   "# Written by vfiokit setup: the article's driver_override script "
						   "(\"Using identical guest\n"
						   "# and host GPUs\"): modprobe runs it for vfio-pci (install line in\n"
						   "# /etc/modprobe.d/vfio.conf), so vfio-pci takes these devices by address.\n"
						   "DEVS=\"%s\"\n"
						   "if [ -n \"$(ls -A /sys/class/iommu 2>/dev/null)\" ]; then\n"
						   "\tfor DEV in $DEVS; do\n"
						   "\t\techo vfio-pci >\"/sys/bus/pci/devices/$DEV/driver_override\"\n"
						   "\tdone\n"
						   "fi\n"
						   "exec modprobe -i vfio-pci \"$@\"\n",
						   list))) < 0)
			goto oom;
	}
	if ((k = plan_backends(h, &p, BOOT_GENERATOR, NULL, NULL)) < 0)
		goto out;

	/* On AMD, amd_iommu=on is no value the kernel takes, and amd_iommu=off
	 * turns the IOMMU off: removed wherever a boot file has them. */
	if (host_cpu_vendor(h) == CPU_AMD)
		for (size_t i = 0; i < 2; i++) {
			const char *tok = i ? "amd_iommu=off" : "amd_iommu=on";
			const char *why = i ? "it turns the IOMMU off" :
					      "the kernel takes no such value (on AMD the IOMMU is on when the firmware "
					      "reports it)";
			bool there;
			if (stale_present(h, tok, &there) < 0)
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
	params = strv_join(&p.params, " ");
	if (!params)
		goto oom;
	if ((p.params.n || p.stale.n) && (k = cmdline(h, &p, params)) < 0)
		goto out;
	*ret = p;
	return 0;
oom:
	k = -ENOMEM;
out:
	setup_plan_free(&p);
	return k;
}
