#!/usr/bin/env python3
"""deploy/azure/deploy.sh, run here against a recording stand-in for `az` (tests/deploy/fake_az.py).

Azure is unreachable from the build machines, so this checks what can be checked without it: the
calls the script makes (which resources, with which settings), that a second run creates nothing
that `create` would reset (create-or-update), the Container Apps YAML it generates (probes, scale
rule, secrets as Key Vault references), that the secrets Data Factory's linked services read are
the ones the script writes, and shellcheck on the deployment scripts. It cannot show that Azure
accepts the calls: that the flags and the YAML match Azure's is from the az CLI's and Azure's
documentation (docs/deploy.md).

  python3 tests/deploy/deploy_script_test.py [REPO_ROOT]
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 and os.path.isdir(sys.argv[1])
                       else os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "deploy", "azure", "deploy.sh")
FAKE_AZ = os.path.join(ROOT, "tests", "deploy", "fake_az.py")
PG_PASSWORD = "pg-Secret-Password-1"
FIREBASE_API_KEY = "firebase-api-key-value"

# What `create` would reset or recreate: on a second run these must be left alone.
GUARDED_CREATES = [
    ["keyvault", "create"],
    ["postgres", "flexible-server", "create"],
    ["redisenterprise", "create"],
    ["containerapp", "env", "create"],
    ["containerapp", "create"],
    ["containerapp", "job", "create"],
    ["role", "assignment", "create"],
]


def words(args):
    out = []
    for arg in args:
        if arg.startswith("-"):
            break
        out.append(arg)
    return out


def option(args, name):
    return args[args.index(name) + 1] if name in args else None


class Deployment:
    """One state (the fake subscription) and the runs of deploy.sh against it."""

    def __init__(self, test):
        self.dir = tempfile.mkdtemp(prefix="vitrina-deploy-test.")
        test.addCleanup(shutil.rmtree, self.dir, True)
        bin_dir = os.path.join(self.dir, "bin")
        os.makedirs(bin_dir)
        # This interpreter, not `python3` from PATH (a version manager's shim can take seconds
        # per start, and the script calls az about 60 times per run).
        az = os.path.join(bin_dir, "az")
        with open(az, "w", encoding="utf-8") as f:
            f.write(f'#!/bin/sh\nexec "{sys.executable}" -S -E "{FAKE_AZ}" "$@"\n')
        os.chmod(az, 0o755)
        self.state = os.path.join(self.dir, "state.json")
        self.out = os.path.join(self.dir, "out")
        self.env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"],
                        FAKE_AZ_STATE=self.state, PG_PASSWORD=PG_PASSWORD,
                        FIREBASE_PROJECT_ID="vitrina-prod", FIREBASE_API_KEY=FIREBASE_API_KEY,
                        TAG="abc1234", ROLE_PROPAGATION_SECONDS="0", DEPLOY_OUT=self.out)
        for name in ("PREFIX", "REDIS_AUTH", "REDIS_CLUSTERING_POLICY", "CORS_ALLOWED_ORIGINS",
                     "DEPLOYER_OBJECT_ID"):
            self.env.pop(name, None)

    def run(self, **extra):
        log = os.path.join(self.dir, f"calls-{len(glob.glob(self.dir + '/calls-*'))}.jsonl")
        open(log, "w").close()
        result = subprocess.run(["bash", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                                env=dict(self.env, FAKE_AZ_LOG=log, **extra), timeout=120)
        with open(log, encoding="utf-8") as f:
            calls = [json.loads(line) for line in f]
        return result, calls

    def secrets(self):
        with open(self.state, encoding="utf-8") as f:
            return json.load(f)["secrets"]

    def yaml(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            text = f.read()
        return text, yaml.safe_load(text)


def calls_of(calls, *command):
    return [c for c in calls if words(c) == list(command)]


class DeployScriptTest(unittest.TestCase):
    def deploy(self, deployment=None, **extra):
        deployment = deployment or Deployment(self)
        result, calls = deployment.run(**extra)
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-3000:])
        return deployment, calls

    def test_managed_redis_with_tls_and_the_access_key_by_default(self):
        deployment, calls = self.deploy()
        self.assertEqual(calls_of(calls, "redis", "create"), [],
                         "Azure Cache for Redis (retiring) must not be created")
        (create,) = calls_of(calls, "redisenterprise", "create")
        self.assertEqual(option(create, "--sku"), "Balanced_B0")
        self.assertEqual(option(create, "--port"), "10000")
        self.assertEqual(option(create, "--client-protocol"), "Encrypted")
        self.assertEqual(option(create, "--minimum-tls-version"), "1.2")
        self.assertEqual(option(create, "--clustering-policy"), "EnterpriseCluster")
        self.assertEqual(option(create, "--eviction-policy"), "VolatileLFU")
        self.assertEqual(option(create, "--access-keys-authentication"), "Enabled")
        self.assertEqual(deployment.secrets()["redis-url"],
                         "rediss://:redis-access-key@vitrina-redis.westeurope.redis.azure.net:10000")
        _, app = deployment.yaml("app.yaml")
        env = {e["name"]: e for e in app["properties"]["template"]["containers"][0]["env"]}
        self.assertEqual(env["REDIS_URL"], {"name": "REDIS_URL", "secretRef": "redis-url"})
        self.assertNotIn("REDIS_AUTH", env)

    def test_redis_with_entra_id_instead_of_the_access_key(self):
        deployment, calls = self.deploy(REDIS_AUTH="managed-identity")
        (create,) = calls_of(calls, "redisenterprise", "create")
        self.assertEqual(option(create, "--access-keys-authentication"), "Disabled")
        (policy,) = calls_of(calls, "redisenterprise", "database", "access-policy-assignment",
                             "create")
        self.assertEqual(option(policy, "--object-id"), "principal-of-vitrina-pull")
        self.assertEqual(option(policy, "--access-policy-name"), "default")
        self.assertNotIn("redis-url", deployment.secrets())
        _, app = deployment.yaml("app.yaml")
        env = {e["name"]: e.get("value") for e in app["properties"]["template"]["containers"][0]["env"]}
        self.assertEqual(env["REDIS_AUTH"], "managed-identity")
        self.assertEqual(env["REDIS_URL"], "rediss://vitrina-redis.westeurope.redis.azure.net:10000")
        self.assertEqual(env["AZURE_CLIENT_ID"], "client-of-vitrina-pull")
        self.assertNotIn("redis-url", [s["name"] for s in app["properties"]["configuration"]["secrets"]])

    def test_oss_clustering_uses_the_cluster_client_and_needs_entra_id(self):
        result, calls = Deployment(self).run(REDIS_CLUSTERING_POLICY="OSSCluster")
        self.assertEqual(result.returncode, 2)
        self.assertIn("REDIS_CLUSTERING_POLICY=OSSCluster needs REDIS_AUTH=managed-identity",
                      result.stderr)
        self.assertEqual(calls, [], "nothing may be created before the settings are checked")
        deployment, calls = self.deploy(REDIS_CLUSTERING_POLICY="OSSCluster",
                                        REDIS_AUTH="managed-identity")
        self.assertEqual(option(calls_of(calls, "redisenterprise", "create")[0],
                                "--clustering-policy"), "OSSCluster")
        _, app = deployment.yaml("app.yaml")
        env = {e["name"]: e.get("value") for e in app["properties"]["template"]["containers"][0]["env"]}
        host = "vitrina-redis.westeurope.redis.azure.net"
        self.assertEqual(env["REDIS_CLUSTER_NODES"], f"{host}:10000")
        self.assertEqual(env["REDIS_TLS"], "true")
        self.assertEqual(env["REDIS_TLS_SERVER_NAME"], host)
        self.assertNotIn("REDIS_URL", env)

    def test_bad_settings_are_refused(self):
        for setting in ({"REDIS_CLUSTERING_POLICY": "NoSuchPolicy"}, {"REDIS_AUTH": "password"}):
            result, calls = Deployment(self).run(**setting)
            self.assertEqual(result.returncode, 2, setting)
            self.assertIn(next(iter(setting)), result.stderr)
            self.assertEqual(calls, [])

    def test_workspace_based_application_insights(self):
        deployment, calls = self.deploy()
        (workspace,) = calls_of(calls, "monitor", "log-analytics", "workspace", "create")
        self.assertEqual(option(workspace, "--workspace-name"), "vitrina-logs")
        self.assertEqual(option(workspace, "--quota"), "1")
        (appi,) = calls_of(calls, "monitor", "app-insights", "component", "create")
        self.assertEqual(option(appi, "--workspace"),
                         "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                         "vitrina-rg/providers/monitor.log-analytics.workspace/vitrina-logs")
        self.assertLess(calls.index(workspace), calls.index(appi))
        (environment,) = calls_of(calls, "containerapp", "env", "create")
        self.assertEqual(option(environment, "--logs-workspace-id"), "customer-id-of-vitrina-logs")
        self.assertTrue(deployment.secrets()["appi-connection-string"].startswith("InstrumentationKey="))
        (workbook,) = calls_of(calls, "monitor", "app-insights", "workbook", "create")
        self.assertEqual(option(workbook, "--source-id"),
                         "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                         "vitrina-rg/providers/monitor.app-insights.component/vitrina-appi")
        self.assertEqual(option(workbook, "--category"), "workbook")
        data = option(workbook, "--serialized-data")
        self.assertTrue(data.startswith("@") and os.path.samefile(
            data[1:], os.path.join(ROOT, "deploy", "azure", "workbook.json")), data)
        # Same name on every run (a GUID from the group and the component): replaced, not added.
        _, again = deployment.run()
        (second,) = calls_of(again, "monitor", "app-insights", "workbook", "create")
        self.assertEqual(option(second, "-n"), option(workbook, "-n"))

    def test_the_app_declares_probes_scale_and_key_vault_secrets(self):
        deployment, calls = self.deploy()
        text, app = deployment.yaml("app.yaml")
        container = app["properties"]["template"]["containers"][0]
        self.assertEqual(container["image"], "vitrinaacr.azurecr.io/vitrina:abc1234")
        probes = {p["type"]: p for p in container["probes"]}
        self.assertEqual(set(probes), {"Startup", "Liveness", "Readiness"})
        self.assertEqual(probes["Liveness"]["httpGet"], {"path": "/healthz", "port": 8080})
        self.assertEqual(probes["Readiness"]["httpGet"], {"path": "/readyz", "port": 8080})
        self.assertEqual(app["properties"]["configuration"]["ingress"]["targetPort"], 8080)
        scale = app["properties"]["template"]["scale"]
        self.assertEqual((scale["minReplicas"], scale["maxReplicas"]), (1, 5))
        self.assertEqual(scale["rules"], [{"name": "http",
                                           "http": {"metadata": {"concurrentRequests": "50"}}}])
        identity_id = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                       "vitrina-rg/providers/identity/vitrina-pull")
        self.assertEqual(list(app["identity"]["userAssignedIdentities"]), [identity_id])
        self.assertEqual(app["properties"]["configuration"]["registries"],
                         [{"server": "vitrinaacr.azurecr.io", "identity": identity_id}])
        secrets = app["properties"]["configuration"]["secrets"]
        for secret in secrets:
            self.assertEqual(set(secret), {"name", "keyVaultUrl", "identity"}, secret)
            self.assertEqual(secret["keyVaultUrl"],
                             f"https://vitrinakv.vault.azure.net/secrets/{secret['name']}")
            self.assertEqual(secret["identity"], identity_id)
            self.assertIn(secret["name"], deployment.secrets(), "referenced but never written")
        refs = {e["secretRef"] for e in container["env"] if "secretRef" in e}
        self.assertEqual(refs, {s["name"] for s in secrets})
        env = {e["name"]: e.get("value") for e in container["env"]}
        self.assertEqual(env["VITRINA_ENV"], "production")
        self.assertEqual(env["TELEMETRY_SAMPLING_PERCENTAGE"], "10")
        self.assertNotIn("CORS_ALLOWED_ORIGINS", env)
        for secret_value in (PG_PASSWORD, FIREBASE_API_KEY, "redis-access-key", "c3RvcmFnZS1rZXk="):
            self.assertNotIn(secret_value, text, "a secret value in the app's YAML")
        (create,) = calls_of(calls, "containerapp", "create")
        self.assertEqual(option(create, "--yaml"), os.path.join(deployment.out, "app.yaml"))
        # The app's identity reads the vault; the deployer writes it.
        roles = {(option(c, "--assignee-object-id"), option(c, "--role"))
                 for c in calls_of(calls, "role", "assignment", "create")}
        self.assertLessEqual({("principal-of-vitrina-pull", "Key Vault Secrets User"),
                              ("principal-of-vitrina-pull", "AcrPull"),
                              ("deployer-object-id", "Key Vault Secrets Officer")}, roles)

    def test_cors_origins_are_passed_through_when_set(self):
        deployment, _ = self.deploy(
            CORS_ALLOWED_ORIGINS="https://shop.example.com,https://admin.example.com")
        _, app = deployment.yaml("app.yaml")
        env = {e["name"]: e.get("value") for e in app["properties"]["template"]["containers"][0]["env"]}
        self.assertEqual(env["CORS_ALLOWED_ORIGINS"],
                         "https://shop.example.com,https://admin.example.com")

    def test_the_etl_job_is_declared_too(self):
        deployment, calls = self.deploy()
        text, job = deployment.yaml("etl-job.yaml")
        self.assertEqual(job["type"], "Microsoft.App/jobs")
        self.assertEqual(job["properties"]["configuration"]["triggerType"], "Manual")
        container = job["properties"]["template"]["containers"][0]
        self.assertEqual(container["command"], ["/bin/sh"])
        self.assertIn("vitrina migrate && vitrina etl run", container["args"][1])
        for secret in job["properties"]["configuration"]["secrets"]:
            self.assertIn("keyVaultUrl", secret)
        self.assertNotIn(PG_PASSWORD, text)
        (create,) = calls_of(calls, "containerapp", "job", "create")
        self.assertEqual(option(create, "--yaml"), os.path.join(deployment.out, "etl-job.yaml"))

    def test_a_second_run_updates_and_creates_nothing_that_create_would_reset(self):
        deployment, first = self.deploy()
        for command in GUARDED_CREATES:
            self.assertTrue(calls_of(first, *command), f"first run: no {' '.join(command)}")
        _, second = self.deploy(deployment)
        for command in GUARDED_CREATES:
            self.assertEqual(calls_of(second, *command), [], f"second run: {' '.join(command)}")
        self.assertEqual(len(calls_of(second, "containerapp", "update")), 1)
        self.assertEqual(len(calls_of(second, "containerapp", "job", "update")), 1)

    def test_data_factory_reads_secrets_the_script_writes(self):
        deployment, _ = self.deploy()
        names = set()
        for path in glob.glob(os.path.join(ROOT, "deploy", "adf", "linkedService", "*.json")):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertNotIn("<password>", text)
            for value in json.loads(text)["properties"]["typeProperties"].values():
                if isinstance(value, dict) and value.get("type") == "AzureKeyVaultSecret":
                    names.add(value["secretName"])
        self.assertEqual(names, {"pg-password", "storage-connection-string"})
        secrets = deployment.secrets()
        self.assertEqual(secrets["pg-password"], PG_PASSWORD)
        self.assertTrue(secrets["storage-connection-string"].startswith("DefaultEndpointsProtocol="))

    def test_shellcheck_on_the_deployment_scripts(self):
        shellcheck = shutil.which("shellcheck")
        self.assertIsNotNone(shellcheck, "shellcheck is missing (tools/install-deps.sh)")
        scripts = [SCRIPT] + sorted(glob.glob(os.path.join(ROOT, "deploy", "docker", "*.sh")))
        result = subprocess.run([shellcheck, *scripts], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
