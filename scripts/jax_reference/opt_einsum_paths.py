# The contraction paths opt_einsum picks (jnp.einsum's order), for random einsum problems: the
# test of src/numpy/opt_einsum.ts's port compares its paths against these, optimizer by optimizer.
# Regenerate with (opt_einsum 3.4, as JAX's environment has it):
#   /tmp/jaxenv/bin/python scripts/jax_reference/opt_einsum_paths.py > test/fixtures/opt_einsum_paths.json
import json, random, opt_einsum

random.seed(1)
LETTERS = "abcdefghijklmnop"
cases = []
for _ in range(300):
    n = random.randint(3, 12)
    labels = LETTERS[: random.randint(3, 10)]
    sizes = {c: random.choice([1, 2, 3, 4, 5, 7, 8, 16]) for c in labels}  # size-1 labels make ties
    terms = ["".join(random.sample(labels, random.randint(1, 3))) for _ in range(n)]
    used = set("".join(terms))
    out = "".join(c for c in labels if c in used and random.random() < 0.2)
    subscripts = ",".join(terms) + "->" + out
    shapes = [[sizes[c] for c in t] for t in terms]
    case = {"subscripts": subscripts, "shapes": shapes, "paths": {}}
    for opt in ["auto", "greedy", "branch-all", "branch-2", "branch-1", "optimal"]:
        if (opt == "optimal" and n > 6) or (opt == "branch-all" and n > 8):
            continue  # exhaustive searches: seconds to minutes beyond these sizes
        path, _ = opt_einsum.contract_path(subscripts, *shapes, optimize=opt, shapes=True)
        case["paths"][opt] = [list(p) for p in path]
    cases.append(case)
json.dump({"_about": "opt_einsum.contract_path paths for random einsums (scripts/jax_reference/opt_einsum_paths.py)",
           "_opt_einsum_version": opt_einsum.__version__, "cases": cases}, __import__("sys").stdout)
