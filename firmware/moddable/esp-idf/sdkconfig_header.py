#!/usr/bin/env python3
"""
Writes the sdkconfig.h that ESP-IDF's build would generate, without ESP-IDF's Python environment.

ESP-IDF makes sdkconfig.h with kconfgen (the esp-idf-kconfig package from PyPI, installed by
ESP-IDF's install.sh). Where that is not installed (here: no PyPI), this script does the same job
with kconfiglib (Debian: python3-kconfiglib), of which esp-idf-kconfig is a fork:

  1. reads ESP-IDF's own Kconfig tree ($IDF_PATH/Kconfig, every components/*/Kconfig and
     Kconfig.projbuild, the target's soc_caps) with IDF_TARGET set, so every CONFIG_ value that is
     not set explicitly takes the default ESP-IDF gives it for that target, with dependencies,
     choices and `default ... if ...` evaluated by Kconfig itself, not by hand;
  2. applies the defaults files given with --defaults, in order (Moddable's merged sdkconfig.mc,
     which holds Moddable's xsProj-<chip>/sdkconfig.defaults plus manifests/sdkconfig/<board>/),
     after renaming deprecated option names through ESP-IDF's sdkconfig.rename files as kconfgen
     does (a leading "!" in the rename inverts a bool);
  3. writes the header with kconfiglib's write_autoconf: "#define CONFIG_X 1" for y, the number
     or the quoted string otherwise, nothing for n (kconfgen's format), plus the renamed old names
     as aliases of the new ones as kconfgen does.

kconfiglib 14 predates one esp-idf-kconfig extension used by ESP-IDF v6.0: "help" inside a
menu; the parser is patched below to accept it (menu help is documentation only).

Usage: sdkconfig_header.py --idf-path DIR --target esp32c3 --defaults FILE [--defaults FILE...]
                           --out sdkconfig.h [--report]
"""
import argparse
import glob
import os
import sys
import tempfile

try:
    import kconfiglib
except ImportError:
    sys.exit('sdkconfig_header.py: kconfiglib missing (Debian: apt-get install python3-kconfiglib)')


def accept_menu_help():
    original = kconfiglib.Kconfig._parse_help

    def parse_help(self, node):
        if not hasattr(node, 'help'):
            node.help = None
        return original(self, node)

    kconfiglib.Kconfig._parse_help = parse_help


def renames(idf_path, target):
    """OLD -> (NEW, inverted) from every components/*/sdkconfig.rename[.target]."""
    table = {}
    files = sorted(glob.glob(os.path.join(idf_path, 'components', '*', 'sdkconfig.rename')))
    files += sorted(glob.glob(os.path.join(idf_path, 'components', '*', 'sdkconfig.rename.' + target)))
    files.append(os.path.join(idf_path, 'sdkconfig.rename'))
    for path in files:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                parts = line.split()
                if len(parts) != 2:
                    continue
                old, new = parts
                table[old] = (new.lstrip('!'), new.startswith('!'))
    return table


def renamed_defaults(path, table):
    """The defaults file with deprecated names replaced by their new ones."""
    out = []
    with open(path) as f:
        for line in f:
            text = line.rstrip('\n')
            name = None
            if text.startswith('CONFIG_') and '=' in text:
                name, value = text.split('=', 1)
            elif text.startswith('# CONFIG_') and text.endswith(' is not set'):
                name, value = text[2:-len(' is not set')], 'n'
            if name and name in table:
                new, inverted = table[name]
                if inverted and value in ('y', 'n', ''):
                    value = 'n' if value == 'y' else 'y'
                text = '%s=%s' % (new, value) if value != 'n' else '# %s is not set' % new
            # Moddable writes "CONFIG_X=" for a bool turned off
            if text.startswith('CONFIG_') and text.endswith('='):
                text = '# %s is not set' % text[:-1]
            out.append(text)
    return '\n'.join(out) + '\n'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--idf-path', default=os.environ.get('IDF_PATH'))
    parser.add_argument('--target', required=True)
    parser.add_argument('--defaults', action='append', default=[])
    parser.add_argument('--out', required=True)
    parser.add_argument('--report', action='store_true')
    a = parser.parse_args()
    if not a.idf_path or not os.path.exists(os.path.join(a.idf_path, 'Kconfig')):
        sys.exit('sdkconfig_header.py: --idf-path (or IDF_PATH) must name an ESP-IDF checkout')

    work = tempfile.mkdtemp(prefix='sdkconfig-')
    components = sorted(glob.glob(os.path.join(a.idf_path, 'components', '*')))
    with open(os.path.join(work, 'kconfigs.in'), 'w') as f:
        for c in components:
            if os.path.exists(os.path.join(c, 'Kconfig')):
                f.write('source "%s"\n' % os.path.join(c, 'Kconfig'))
    with open(os.path.join(work, 'kconfigs_projbuild.in'), 'w') as f:
        for c in components:
            if os.path.exists(os.path.join(c, 'Kconfig.projbuild')):
                f.write('source "%s"\n' % os.path.join(c, 'Kconfig.projbuild'))
    empty = os.path.join(work, 'empty.in')
    open(empty, 'w').close()
    os.environ.update({
        'IDF_PATH': a.idf_path,
        'IDF_TARGET': a.target,
        'IDF_TOOLCHAIN': 'gcc',
        'IDF_ENV_FPGA': '',
        'IDF_INIT_VERSION': '6.0.0',
        'COMPONENT_KCONFIGS_SOURCE_FILE': os.path.join(work, 'kconfigs.in'),
        'COMPONENT_KCONFIGS_PROJBUILD_SOURCE_FILE': os.path.join(work, 'kconfigs_projbuild.in'),
        'COMPONENT_KCONFIGS_EXCLUDED_SOURCE_FILE': empty,
        'COMPONENT_KCONFIGS_PROJBUILD_EXCLUDED_SOURCE_FILE': empty,
    })
    accept_menu_help()
    kconfig = kconfiglib.Kconfig(os.path.join(a.idf_path, 'Kconfig'), warn=False)
    table = renames(a.idf_path, a.target)
    for index, path in enumerate(a.defaults):
        merged = os.path.join(work, 'defaults-%d' % index)
        with open(merged, 'w') as f:
            f.write(renamed_defaults(path, table))
        kconfig.warn = True
        kconfig.warn_to_stderr = False
        kconfig.load_config(merged, replace=(index == 0))
        ignored = [w for w in kconfig.warnings if 'undefined symbol' in w]
        if a.report and ignored:
            print('%s: %d settings name no symbol of this ESP-IDF/target (ignored):' % (path, len(ignored)))
            for w in ignored:
                print('  ' + w.split('\n')[0])
        kconfig.warnings.clear()
    kconfig.write_autoconf(a.out, header='/* Generated by firmware/moddable/esp-idf/sdkconfig_header.py (kconfiglib %s) from ESP-IDF %s Kconfig, target %s, defaults: %s */\n' % (
        '.'.join(map(str, kconfiglib.VERSION)), a.idf_path, a.target, ', '.join(a.defaults) or 'none'))
    # kconfgen also defines the deprecated names of options that are set, as aliases
    with open(a.out, 'a') as f:
        f.write('\n/* deprecated names (sdkconfig.rename), as kconfgen writes them */\n')
        for old, (new, inverted) in sorted(table.items()):
            sym = kconfig.syms.get(new[len('CONFIG_'):]) if new.startswith('CONFIG_') else None
            if sym is None or not sym.str_value or old == new:
                continue
            if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
                on = (sym.str_value == 'y') != inverted
                if on:
                    f.write('#define %s 1\n' % old)
            else:
                f.write('#define %s %s\n' % (old, new))
    values = sum(1 for s in kconfig.unique_defined_syms if s.str_value and s.str_value != 'n')
    print('%s: %s, %d symbols, %d set' % (a.out, a.target, len(kconfig.unique_defined_syms), values))


if __name__ == '__main__':
    main()
