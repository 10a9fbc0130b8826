#!/usr/bin/python3
# Checks that .ci/install-deps installs everything the Python tests, demo and benchmarks
# import and everything the tests run, so that on a fresh Debian 12 a missing package fails
# here, by name (python3-aiohttp was missing: slixmpp only Recommends it, install-deps uses
# --no-install-recommends, and slixmpp's xep_0363 plugin imports it).
# Allowed: the packages listed in .ci/install-deps and the base system (Essential, Priority
# required), with what they Depend or Pre-Depend on, recursively (Recommends do not count).
# - Python, derived: the imports of every .py in the repo (ast: multi-line and indented ones
#   too; the repo's own modules are skipped) and the slixmpp plugins named by "xep_NNNN"
#   literals run in a fresh /usr/bin/python3 per top-level module; every module file then
#   loaded must come from an allowed package. Modules from elsewhere are blocked and the
#   imports run again: if they still work that module was optional (a note), else a failure.
# - Executables, derived: the literal argv[0] given to subprocess.run/Popen/call/check_call/
#   check_output or to a repo function passing its first parameter on to them (harness._spawn),
#   and shutil.which's literal arguments (also through a for loop over literals). Listed by
#   hand: SCRIPT_COMMANDS (shell scripts, meson.build, C++), each checked to still appear
#   in its file. Each must be on PATH and come from an allowed package.
# Usage: /usr/bin/python3 tests/meta/test_dependencies.py; prints every failure, exits 0 or 1.
import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = "/usr/bin/python3"
INSTALL_DEPS = ".ci/install-deps"

# Not derived: commands run by files that are not Python (shell builtins left out).
SCRIPT_COMMANDS = {
    ".ci/test": ["meson", "ninja"],
    ".ci/sanitize": ["meson", "ninja"],
    ".ci/demo": ["meson", "ninja", "/usr/bin/python3"],
    "tests/meson.build": ["bash", "/usr/bin/python3"],
    "tests/install/test_out_of_tree.sh": ["meson", "pkg-config", "c++", "ldd", "find", "sed",
                                          "grep", "head", "mktemp", "cp", "rm"],
    "tests/unit/test_qr_code.cpp": ["zbarimg"],
}
# Run by this file only when present (without git it walks the tree instead).
OPTIONAL_COMMANDS = {"git"}
# Package to suggest for a command that is not on PATH at all.
KNOWN_COMMANDS = {"prosody": "prosody", "prosodyctl": "prosody", "erl": "ejabberd",
                  "ngircd": "ngircd", "inspircd": "inspircd",
                  "atheme-services": "atheme-services",
                  "zbarimg": "zbar-tools",
                  "sqlite3": "sqlite3", "openssl": "openssl", "meson": "meson",
                  "ninja": "ninja-build", "pkg-config": "pkg-config", "c++": "g++"}
SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output"}
PLUGIN = re.compile(r"^xep_\d{4}$")

# Runs in a fresh interpreter: blocks the top-level modules in argv[2], executes the import
# statements in argv[1], prints the failures and the file of every loaded module. The
# importer of a missing module is the innermost frame that is a real file.
PROBE = r"""
import json, sys
blocked = set(json.loads(sys.argv[2]))
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
errors = []
for stmt in json.loads(sys.argv[1]):
    try:
        exec(stmt, {})
    except ImportError as e:
        importer, tb = None, e.__traceback__
        while tb:
            if not tb.tb_frame.f_code.co_filename.startswith("<"):
                importer = tb.tb_frame.f_globals.get("__name__")
            tb = tb.tb_next
        errors.append([stmt, e.name or "", type(e).__name__, str(e), importer])
files = {n: m.__file__ for n, m in list(sys.modules.items()) if getattr(m, "__file__", None)}
print(json.dumps({"errors": errors, "files": files}))
"""


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def repo_python_files():
    """Tracked and new (not ignored) .py files; without git, every .py outside build dirs."""
    git = ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"]
    out = run(git, cwd=ROOT) if shutil.which("git") else None
    files = out.stdout.split() if out and out.returncode == 0 else None
    if files is None:
        files = [os.path.relpath(os.path.join(d, f), ROOT) for d, dirs, names in os.walk(ROOT)
                 for f in names if f.endswith(".py")
                 if not re.search(r"/(build[^/]*|\.[^/]*)(/|$)", d[len(ROOT):])]
    return sorted(f for f in files if os.path.isfile(os.path.join(ROOT, f)))


def listed_packages():
    text = open(os.path.join(ROOT, INSTALL_DEPS)).read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        sys.exit(f"not ok - no packages=(...) array in {INSTALL_DEPS}")
    return set(re.sub(r"#.*", "", m.group(1)).split())


def literal_strings(node):
    elts = node.elts if isinstance(node, (ast.Tuple, ast.List)) else []
    return [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def is_call(call, module, attrs, helpers=()):
    """module.attr(...) for an attr in attrs, or a helper called as f(...), x.f(...)."""
    f = call.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        return (f.value.id == module and f.attr in attrs) or f.attr in helpers
    return isinstance(f, ast.Name) and f.id in helpers


def spawn_helpers(tree):
    """Functions that hand their first parameter to a subprocess call as its argv."""
    def passes_first(fn, c):
        return isinstance(c, ast.Call) and is_call(c, "subprocess", SUBPROCESS_CALLS) \
            and c.args and isinstance(c.args[0], ast.Name) and c.args[0].id == fn.args.args[0].arg
    return {fn.name for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef) and fn.args.args
            and any(passes_first(fn, c) for c in ast.walk(fn))}


def called_commands(tree, helpers):
    loops = {n.target.id: literal_strings(n.iter) for n in ast.walk(tree)
             if isinstance(n, ast.For) and isinstance(n.target, ast.Name)}
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args):
        arg = call.args[0]
        which = is_call(call, "shutil", {"which"})
        if is_call(call, "subprocess", SUBPROCESS_CALLS, helpers) \
                and isinstance(arg, (ast.List, ast.Tuple)) and arg.elts \
                and isinstance(arg.elts[0], ast.Constant):
            yield arg.elts[0].value
        elif which and isinstance(arg, ast.Constant):
            yield arg.value
        elif which and isinstance(arg, ast.Name):
            yield from loops.get(arg.id, [])


def scan_python(rel, tree, helpers, imports, plugins, commands):
    """Adds {statement: (top-level module, file)}, {plugin: file}, {command: file}."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imports.setdefault(f"import {alias.name}", (alias.name.split(".")[0], rel))
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            stmt = f"from {node.module} import {', '.join(a.name for a in node.names)}"
            imports.setdefault(stmt, (node.module.split(".")[0], rel))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and PLUGIN.match(node.value):
            plugins.setdefault(node.value, rel)
    for name in called_commands(tree, helpers):
        commands.setdefault(name, rel)


def names(field):
    """'a (>= 1) | b:any, c' -> [['a', 'b'], ['c']]"""
    return [[re.sub(r"\(.*?\)|\[.*?\]|:\w+", "", alt).strip() for alt in clause.split("|")]
            for clause in field.split(",") if clause.strip()]


def allowed_packages(listed):
    """The listed and base packages with their Depends/Pre-Depends closure (installed only);
    also returns the set of installed packages."""
    fmt = "${db:Status-Abbrev}\t${Package}\t${Depends},${Pre-Depends}\t${Provides}\t" \
          "${Essential}\t${Priority}\n"
    deps, providers, roots = {}, {}, set(listed)
    for line in run(["dpkg-query", "-W", "-f", fmt], check=True).stdout.splitlines():
        status, name, dep, prov, essential, priority = line.split("\t")
        if status.startswith("ii"):
            deps.setdefault(name, []).extend(names(dep))
            for (virtual,) in names(prov):
                providers.setdefault(virtual, set()).add(name)
            if essential == "yes" or priority == "required":
                roots.add(name)
    allowed, todo = set(), [r for r in roots if r in deps]
    while todo:
        p = todo.pop()
        if p not in allowed:
            allowed.add(p)
            for alt in (a for clause in deps[p] for a in clause):  # any installed alternative
                todo += [a for a in {alt} | providers.get(alt, set()) if a in deps]
    return allowed, set(deps)


def dpkg_files():
    """{path: [packages]} from dpkg's file lists (all at once, no dpkg -S per file)."""
    owners = {}
    for lst in glob.glob("/var/lib/dpkg/info/*.list"):
        pkg = os.path.basename(lst)[:-len(".list")].split(":")[0]
        with open(lst, errors="replace") as f:
            for line in f:
                owners.setdefault(line.rstrip("\n"), []).append(pkg)
    return owners


def owners_of(path, files):
    """Packages owning path, a symlink on its way (/usr/bin/c++ -> /etc/alternatives/c++ ->
    /usr/bin/g++ -> ...) or its real path, also under their merged-/usr alias."""
    chain = [path]
    while os.path.islink(chain[-1]) and len(chain) < 20:
        chain.append(os.path.join(os.path.dirname(chain[-1]), os.readlink(chain[-1])))
    found = []
    for p in chain + [os.path.realpath(path)]:
        m = re.match(r"^(/usr)?(/(?:s?bin|lib\w*)/.*)$", os.path.normpath(p))
        for alias in [m.group(2), "/usr" + m.group(2)] if m else [os.path.normpath(p)]:
            found += [o for o in files.get(alias, []) if o not in found]
    return found


def not_allowed(path, files, allowed):
    """(why path is not acceptable, what to do), or None."""
    pkgs = owners_of(path, files)
    if not pkgs:
        return (f"at {path}, which belongs to no Debian package (pip, /usr/local?)",
                f"install it with apt and list the package in {INSTALL_DEPS}")
    if not allowed.intersection(pkgs):
        return (f"from {pkgs[0]}, which is neither in {INSTALL_DEPS} nor a dependency of a "
                f"package listed there", f"add {pkgs[0]} to {INSTALL_DEPS}")
    return None


def missing_hint(pkg, listed):
    if pkg in listed:
        return f"{pkg} is listed in {INSTALL_DEPS} but not installed: run {INSTALL_DEPS}"
    return f"add {pkg} to {INSTALL_DEPS}"


def import_failure(err, origin, blocked, listed):
    stmt, missing, kind, text, importer = err
    where = (f"imported by {importer}, " if importer else "") + origin
    top = missing.split(".")[0]
    if top in blocked:
        return f"module {top!r} ({where}) is {': '.join(blocked[top])}"
    if kind != "ModuleNotFoundError":
        return f"{stmt!r} ({where}) fails: {kind}: {text}"
    pkg = "python3-" + top.lower().replace("_", "-")
    hint = missing_hint(pkg, listed) if run(["apt-cache", "show", pkg]).returncode == 0 \
        else f"find its package with apt-file search /{missing.replace('.', '/')}"
    return f"module {missing!r} ({where}) is not importable: {hint}"


def check_imports(top, stmts, files, allowed, listed, failures, notes):
    """Runs the import statements of one top-level module; modules from a package that is
    not allowed are blocked and the statements run again. Returns the loaded files."""
    blocked = {}
    while True:
        out = run([PYTHON, "-c", PROBE, json.dumps(list(stmts)), json.dumps(list(blocked))],
                  cwd="/", timeout=60)
        if out.returncode != 0:
            failures.append(f"importing {top} crashed: {out.stderr.strip()}")
            return set()
        result = json.loads(out.stdout)
        bad = {name.split(".")[0]: why for name, path in result["files"].items()
               if (why := not_allowed(path, files, allowed))}
        if not set(bad) - set(blocked):
            break
        blocked.update(bad)
    first = {}  # one failure per (missing module, importer), however many imports hit it
    for err in result["errors"]:
        first.setdefault((err[1], err[4]), []).append(err)
    for errs in first.values():
        more = f" and {len(errs) - 1} more imports" if len(errs) > 1 else ""
        failures.append(import_failure(errs[0], stmts[errs[0][0]] + more, blocked, listed))
    failed = {err[1].split(".")[0] for err in result["errors"]}
    notes += [f"{m!r} ({blocked[m][0]}) is loaded through {top} when present, but the "
              "imports work without it"
              for m in sorted(set(blocked) - failed)]
    return set(result["files"].values())


def add_script_commands(commands, failures):
    for rel, names_ in SCRIPT_COMMANDS.items():
        text = open(os.path.join(ROOT, rel)).read()
        for name in names_:
            commands.setdefault(name, rel)
            if not re.search(r"(?<![\w/.])" + re.escape(name) + r"(?![\w.-])", text):
                failures.append(f"SCRIPT_COMMANDS lists {name!r} for {rel}, which no longer "
                                f"runs it: update tests/meta/test_dependencies.py")


def check_commands(commands, files, allowed, listed, failures):
    for name, rel in sorted(commands.items()):
        path = shutil.which(name)
        why = not_allowed(path, files, allowed) if path else None
        if name in OPTIONAL_COMMANDS:
            continue
        if path is None:
            pkg = KNOWN_COMMANDS.get(name)
            hint = missing_hint(pkg, listed) if pkg else \
                f"find its package with apt-file search bin/{name}"
            failures.append(f"executable {name!r} (run by {rel}) is not on PATH: {hint}")
        elif why:
            failures.append(f"executable {name!r} (run by {rel}) is {': '.join(why)}")


def import_groups(imports, plugins, sources):
    """{top-level module: {statement: where it comes from}}, without the repo's modules."""
    local = {os.path.splitext(os.path.basename(f))[0] for f in sources}
    local |= {os.path.basename(os.path.dirname(f)) for f in sources if f.endswith("/__init__.py")}
    groups = {}
    for stmt, (top, rel) in imports.items():
        if top not in local:
            groups.setdefault(top, {})[stmt] = f"from {rel}"
    for plugin, rel in plugins.items():
        groups.setdefault("slixmpp", {})[f"import slixmpp.plugins.{plugin}"] = \
            f"registered in {rel}"
    return groups


def main():
    failures, notes = [], []
    listed = listed_packages()
    allowed, installed = allowed_packages(listed)
    failures += [missing_hint(p, listed) for p in sorted(listed - installed)]

    sources = repo_python_files()
    trees = {rel: ast.parse(open(os.path.join(ROOT, rel)).read(), rel) for rel in sources}
    helpers = set().union(*map(spawn_helpers, trees.values()))
    imports, plugins, commands = {}, {}, {}
    for rel, tree in trees.items():
        scan_python(rel, tree, helpers, imports, plugins, commands)
    groups = import_groups(imports, plugins, sources)

    files = dpkg_files()
    loaded = set()
    for top, stmts in sorted(groups.items()):
        loaded |= check_imports(top, stmts, files, allowed, listed, failures, notes)
    add_script_commands(commands, failures)
    check_commands(commands, files, allowed, listed, failures)
    used = {o for p in loaded | set(filter(None, map(shutil.which, commands)))
            for o in owners_of(p, files)}

    print(f"checked {len(sources)} Python files: {len(imports)} import statements of "
          f"{len(groups)} top-level modules and {len(plugins)} slixmpp plugins, "
          f"{len(loaded)} module files; {len(commands)} executables; "
          f"{len(used)} packages used, {len(allowed)} allowed ({len(listed)} listed)")
    for note in notes:
        print(f"# note: {note}")
    for failure in failures:
        print(f"not ok - {failure}")
    if not failures:
        print(f"ok - everything the tests import or run comes from {INSTALL_DEPS}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
