#!/usr/bin/env python3
"""A recording stand-in for the az CLI, for tests/deploy/deploy_script_test.py.

Azure is unreachable from the build machines, so deploy/azure/deploy.sh is run against this
instead. It is not a model of Azure: it appends every call (argv) to $FAKE_AZ_LOG as one JSON line,
remembers what was created in $FAKE_AZ_STATE (so `show` fails before `create` and succeeds after,
as `az` does, which is what the script's create-or-update decisions rest on), remembers Key Vault
secrets and role assignments, and answers the `--query ... -o tsv` reads with fixed, recognisable
values. Anything it does not know fails loudly (exit 97), so a new `az` call in the script must be
taught here, on purpose.
"""
import json
import os
import sys

SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"


def option(args, *names):
    for i, arg in enumerate(args):
        if arg in names and i + 1 < len(args):
            return args[i + 1]
    return None


def words(args):
    """The command words: everything before the first option."""
    out = []
    for arg in args:
        if arg.startswith("-"):
            break
        out.append(arg)
    return out


def load_state(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return {"resources": [], "secrets": {}, "roles": [], "settings": {}, "properties": {}}


def options(args):
    """The --option value pairs of a call (flags without a value are left out)."""
    out = {}
    for i, arg in enumerate(args[:-1]):
        if arg.startswith("--") and not args[i + 1].startswith("--"):
            out[arg] = args[i + 1]
    return out


def main():
    args = sys.argv[1:]
    with open(os.environ["FAKE_AZ_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(args) + "\n")
    state_path = os.environ["FAKE_AZ_STATE"]
    state = load_state(state_path)
    cmd = words(args)
    verb = cmd[-1] if cmd else ""
    kind = " ".join(cmd[:-1])
    name = option(args, "-n", "--name", "--cluster-name", "--workspace-name", "-a", "--app",
                  "--access-policy-assignment-name", "--object-id")
    group = option(args, "-g", "--resource-group") or "rg"
    query = option(args, "--query")
    key = f"{kind}/{group}/{name}"

    def answer(text):
        print(text)
        save()
        sys.exit(0)

    def save():
        with open(state_path, "w", encoding="utf-8") as f:
            json.dump(state, f)

    if cmd in (["extension", "add"], ["acr", "build"], ["group", "create"]):
        answer("")
    # The generic ARM commands, by resource id: remembers what `--set` set, answers it back.
    if cmd == ["resource", "update"]:
        properties = state["properties"].setdefault(option(args, "--ids"), {})
        path, _, value = option(args, "--set").partition("=")
        properties[path] = value
        answer("")
    if cmd == ["resource", "show"]:
        answer(state["properties"].get(option(args, "--ids"), {}).get(query, ""))
    if verb in ("create", "update") and kind != "role assignment":
        if key not in state["resources"]:
            state["resources"].append(key)
        # Settings given on create or update (e.g. --microsoft-entra-auth), for later `show`s.
        state["settings"].setdefault(key, {}).update(options(args))
        answer("")
    if cmd == ["postgres", "flexible-server", "db", "create"]:
        answer("")
    if cmd == ["ad", "signed-in-user", "show"]:
        answer("deployer-object-id")
    if cmd == ["role", "assignment", "list"]:
        wanted = [option(args, "--assignee"), option(args, "--scope"), option(args, "--role")]
        answer("assignment-id" if wanted in state["roles"] else "")
    if cmd == ["role", "assignment", "create"]:
        state["roles"].append(
            [option(args, "--assignee-object-id"), option(args, "--scope"), option(args, "--role")])
        answer("")
    if cmd == ["keyvault", "secret", "set"]:
        state["secrets"][option(args, "-n", "--name")] = option(args, "--value")
        answer("")
    if cmd == ["storage", "account", "show-connection-string"]:
        answer(f"DefaultEndpointsProtocol=https;AccountName={name};AccountKey=c3RvcmFnZS1rZXk=;"
               "EndpointSuffix=core.windows.net")
    if cmd == ["redisenterprise", "database", "list-keys"]:
        answer("redis-access-key")
    if cmd == ["monitor", "log-analytics", "workspace", "get-shared-keys"]:
        answer("workspace-shared-key")
    if verb == "show":
        if key not in state["resources"]:
            print(f"ERROR: (ResourceNotFound) {kind} '{name}' was not found.", file=sys.stderr)
            save()
            sys.exit(3)
        values = {
            "id": f"{SUBSCRIPTION}/resourceGroups/{group}/providers/{kind.replace(' ', '.')}/{name}",
            "principalId": f"principal-of-{name}",
            "clientId": f"client-of-{name}",
            "properties.vaultUri": f"https://{name}.vault.azure.net/",
            "hostName": f"{name}.westeurope.redis.azure.net",
            "customerId": f"customer-id-of-{name}",
            "connectionString": f"InstrumentationKey=ikey-of-{name};IngestionEndpoint=https://x/",
            "properties.configuration.ingress.fqdn": f"{name}.example.azurecontainerapps.io",
            "primaryEndpoints.blob": f"https://{name}.blob.core.windows.net/",
            "authConfig.activeDirectoryAuth":
                state["settings"].get(key, {}).get("--microsoft-entra-auth", "Disabled"),
        }
        if query is None:
            answer("{}")
        if query in values:
            answer(values[query])
    print(f"fake az: no answer for: az {' '.join(args)}", file=sys.stderr)
    save()
    sys.exit(97)


if __name__ == "__main__":
    main()
