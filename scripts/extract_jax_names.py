"""Lists the public names of jax.numpy, jax.lax, jax.nn, jax.nn.initializers and jax.random
from a JAX source checkout (the argument), into docs/notes/jax-api-names.json. Run once per
JAX release we track; docs/API_COVERAGE.md is generated from the result by
scripts/api_coverage.ts."""
import ast, json, sys

SKIP = {"annotations", "np", "overload", "util", "warnings", "config", "lax", "random", "core", "dtypes",
        "numpy", "partial", "math", "functools", "builtins", "operator"}

def names(path):
    tree = ast.parse(open(path).read())
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                # `from x import y as y` is JAX's re-export idiom
                if a.asname is not None and not a.asname.startswith("_"):
                    out.add(a.asname)
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            out.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and not t.id.startswith("_"):
                    out.add(t.id)
    return sorted(n for n in out if (n[0].islower() or n == "PRNGKey") and n not in SKIP)

root = sys.argv[1]
mods = {"numpy": "jax/numpy/__init__.py", "lax": "jax/lax/__init__.py", "nn": "jax/nn/__init__.py",
        "nn.initializers": "jax/nn/initializers.py", "random": "jax/random.py"}
res = {m: names(f"{root}/{p}") for m, p in mods.items()}
res["_source"] = ("Public names of jax.numpy, jax.lax, jax.nn, jax.nn.initializers and jax.random, read from "
                  "the __init__ modules of JAX 0.11 (scripts/extract_jax_names.py).")
json.dump(res, open("docs/notes/jax-api-names.json", "w"), indent=1, sort_keys=True)
