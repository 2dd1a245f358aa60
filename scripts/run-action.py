#!/usr/bin/env python3
"""Runs the steps of the composite action in action.yml locally, as the
GitHub runner does: `${{ inputs.* }}` and `${{ github.workspace }}` are
substituted, each `run:` goes to `bash --noprofile --norc -eo pipefail`
with the step's `env:`, and GITHUB_ACTION_PATH, GITHUB_WORKSPACE,
GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH and RUNNER_TEMP are set
(lines added to GITHUB_PATH go before PATH for the later steps).

    run-action.py ACTION_DIR WORKSPACE RESULT.json [NAME=VALUE ...]

Writes RESULT.json: each step's name, exit status and standard output,
the action's outputs and the step summary. Exits with the status of the
first failing step (the later ones do not run), else 0. Needs PyYAML.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def main():
    action_dir, workspace, result_file, *pairs = sys.argv[1:]
    action_dir = os.path.abspath(action_dir)
    workspace = os.path.abspath(workspace)
    with open(os.path.join(action_dir, "action.yml"), encoding="utf-8") as f:
        action = yaml.safe_load(f)
    assert action["runs"]["using"] == "composite", action["runs"]

    declared = action.get("inputs") or {}
    inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in declared:
            sys.exit(f"action.yml has no input {name!r}")
        inputs[name] = value

    def expand(text):
        def one(m):
            expr = m.group(1)
            if expr.startswith("inputs."):
                return inputs[expr[len("inputs."):]]
            if expr == "github.workspace":
                return workspace
            raise SystemExit(f"run-action.py cannot evaluate ${{{{ {expr} }}}}")

        return EXPR.sub(one, str(text))

    tmp = tempfile.mkdtemp(prefix="run-action-")
    files = {}
    for var in ("GITHUB_STEP_SUMMARY", "GITHUB_PATH"):
        files[var] = os.path.join(tmp, var.lower())
        open(files[var], "w").close()
    runner_temp = os.path.join(tmp, "runner-temp")
    os.mkdir(runner_temp)

    result = {"steps": [], "outputs": {}, "summary": ""}
    step_outputs = {}  # step id -> {name: value}
    status = 0
    for i, step in enumerate(action["runs"]["steps"]):
        assert "run" in step, f"step {i} is not a run step: {step}"
        assert step.get("shell") == "bash", f"step {i}: shell must be bash"
        env = dict(os.environ)
        env.update(files)
        env["GITHUB_OUTPUT"] = os.path.join(tmp, f"output-{i}")
        open(env["GITHUB_OUTPUT"], "w").close()
        env.update(
            GITHUB_ACTIONS="true",
            GITHUB_ACTION_PATH=action_dir,
            GITHUB_WORKSPACE=workspace,
            RUNNER_TEMP=runner_temp,
        )
        with open(files["GITHUB_PATH"], encoding="utf-8") as f:
            added = [line.strip() for line in f if line.strip()]
        env["PATH"] = os.pathsep.join(list(reversed(added)) + [env.get("PATH", "")])
        for name, value in (step.get("env") or {}).items():
            env[name] = expand(value)
        script = os.path.join(tmp, f"step-{i}.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(expand(step["run"]))
        cwd = expand(step.get("working-directory", workspace))
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        sys.stdout.write(proc.stdout)
        with open(env["GITHUB_OUTPUT"], encoding="utf-8") as f:
            outs = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        if step.get("id"):
            step_outputs[step["id"]] = outs
        result["steps"].append(
            {"id": step.get("id"), "name": step.get("name"), "exit": proc.returncode, "stdout": proc.stdout}
        )
        if proc.returncode != 0:
            status = proc.returncode
            break

    for name, spec in (action.get("outputs") or {}).items():
        m = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}", spec["value"])
        assert m, f"output {name}: {spec['value']}"
        result["outputs"][name] = step_outputs.get(m.group(1), {}).get(m.group(2))
    with open(files["GITHUB_STEP_SUMMARY"], encoding="utf-8") as f:
        result["summary"] = f.read()
    with open(result_file, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    sys.exit(status)


if __name__ == "__main__":
    main()
