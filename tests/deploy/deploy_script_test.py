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
        # `sleep` (the wait for role propagation) is logged among the az calls, so a test can see
        # where the script waits; it returns at once.
        sleep = os.path.join(bin_dir, "sleep")
        with open(sleep, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nprintf \'["sleep", "%s"]\\n\' "$1" >>"$FAKE_AZ_LOG"\n')
        os.chmod(sleep, 0o755)
        self.state = os.path.join(self.dir, "state.json")
        self.out = os.path.join(self.dir, "out")
        self.env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"],
                        FAKE_AZ_STATE=self.state, PG_PASSWORD=PG_PASSWORD,
                        FIREBASE_PROJECT_ID="vitrina-prod", FIREBASE_API_KEY=FIREBASE_API_KEY,
                        TAG="abc1234", ROLE_PROPAGATION_SECONDS="0", DEPLOY_OUT=self.out)
        for name in ("PREFIX", "REDIS_AUTH", "REDIS_CLUSTERING_POLICY", "CORS_ALLOWED_ORIGINS",
                     "DEPLOYER_OBJECT_ID", "AUTH_MODE", "DATABASE_AUTH", "AZURE_STORAGE_AUTH",
                     "APPLICATIONINSIGHTS_AUTH", "STORAGE_SHARED_KEY", "APPI_LOCAL_AUTH"):
            self.env.pop(name, None)

    def run(self, **extra):
        log = os.path.join(self.dir, f"calls-{len(glob.glob(self.dir + '/calls-*'))}.jsonl")
        open(log, "w").close()
        result = subprocess.run(["bash", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                                env=dict(self.env, FAKE_AZ_LOG=log, **extra), timeout=300)
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


def container(doc):
    return doc["properties"]["template"]["containers"][0]


def env_of(doc):
    """NAME -> value, or ("secretRef", NAME) for a secret reference."""
    return {e["name"]: e["value"] if "value" in e else ("secretRef", e["secretRef"])
            for e in container(doc)["env"]}


def roles_of(calls):
    return {(option(c, "--assignee-object-id"), option(c, "--role"), option(c, "--scope"))
            for c in calls_of(calls, "role", "assignment", "create")}


IDENTITY_PRINCIPAL = "principal-of-vitrina-pull"
RESOURCES = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vitrina-rg/providers"
DATASETS_SCOPE = f"{RESOURCES}/storage.account/vitrinadata/blobServices/default/containers/datasets"
APPI_ID = f"{RESOURCES}/monitor.app-insights.component/vitrina-appi"
PG_HOST = "vitrina-pg.postgres.database.azure.com"


class DeployScriptTest(unittest.TestCase):
    def deploy(self, deployment=None, **extra):
        deployment = deployment or Deployment(self)
        result, calls = deployment.run(**extra)
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-3000:])
        self.output = result.stdout
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
        for setting in ({"REDIS_CLUSTERING_POLICY": "NoSuchPolicy"}, {"REDIS_AUTH": "password"},
                        {"AUTH_MODE": "passwordless"}, {"DATABASE_AUTH": "key"},
                        {"AZURE_STORAGE_AUTH": "sas"}, {"APPLICATIONINSIGHTS_AUTH": "token"},
                        {"STORAGE_SHARED_KEY": "off"}, {"APPI_LOCAL_AUTH": "false"},
                        # A lock-down that would leave the app's own secret refused.
                        {"STORAGE_SHARED_KEY": "disabled"}, {"APPI_LOCAL_AUTH": "disabled"},
                        {"STORAGE_SHARED_KEY": "disabled", "AUTH_MODE": "managed-identity",
                         "AZURE_STORAGE_AUTH": "key"}):
            result, calls = Deployment(self).run(**setting)
            self.assertEqual(result.returncode, 2, setting)
            self.assertIn(list(setting)[0], result.stderr)
            self.assertEqual(calls, [], f"{setting}: nothing may be called before the check")

    def test_passwordless_everywhere_with_one_switch(self):
        deployment, calls = self.deploy(AUTH_MODE="managed-identity")
        # PostgreSQL: Entra authentication next to passwords (Data Factory and the admin keep
        # theirs), the identity an Entra administrator under its own name.
        (server,) = calls_of(calls, "postgres", "flexible-server", "create")
        self.assertEqual(option(server, "--microsoft-entra-auth"), "Enabled")
        self.assertEqual(option(server, "--password-auth"), "Enabled")
        (admin,) = calls_of(calls, "postgres", "flexible-server", "microsoft-entra-admin", "create")
        self.assertEqual((option(admin, "--object-id"), option(admin, "--display-name"),
                          option(admin, "--type"), option(admin, "-s")),
                         (IDENTITY_PRINCIPAL, "vitrina-pull", "ServicePrincipal", "vitrina-pg"))
        self.assertLess(calls.index(server), calls.index(admin))
        # Least privilege: the job only reads the one container; the deployer may upload to it.
        roles = roles_of(calls)
        self.assertLessEqual({(IDENTITY_PRINCIPAL, "Storage Blob Data Reader", DATASETS_SCOPE),
                              ("deployer-object-id", "Storage Blob Data Contributor", DATASETS_SCOPE),
                              (IDENTITY_PRINCIPAL, "Monitoring Metrics Publisher", APPI_ID)}, roles)
        self.assertNotIn(IDENTITY_PRINCIPAL, {p for p, role, _ in roles
                                              if role == "Storage Blob Data Contributor"})
        # The keys stay on unless asked otherwise (Data Factory uses the storage key).
        (account,) = calls_of(calls, "storage", "account", "create")
        self.assertEqual(option(account, "--allow-shared-key-access"), "true")
        self.assertEqual(calls_of(calls, "resource", "update"), [])
        # Every role is given time to propagate before the app and the job start.
        last_grant = max(i for i, c in enumerate(calls) if words(c)[:3] == ["role", "assignment", "create"])
        first_app = calls.index(calls_of(calls, "containerapp", "create")[0])
        self.assertIn(["sleep", "0"], calls[last_grant:first_app])

        app_text, app = deployment.yaml("app.yaml")
        job_text, job = deployment.yaml("etl-job.yaml")
        url = f"postgresql://vitrina-pull@{PG_HOST}:5432/vitrina?sslmode=require"
        self.assertEqual({k: v for k, v in env_of(app).items() if "AUTH" in k or k.startswith(
            ("DATABASE", "AZURE_STORAGE", "APPLICATIONINSIGHTS"))},
            {"DATABASE_URL": url, "DATABASE_AUTH": "managed-identity",
             "REDIS_AUTH": "managed-identity", "APPLICATIONINSIGHTS_AUTH": "managed-identity",
             "APPLICATIONINSIGHTS_CONNECTION_STRING":
                 "InstrumentationKey=ikey-of-vitrina-appi;IngestionEndpoint=https://x/"},
            "the app: tokens for PostgreSQL, Redis and telemetry, nothing for Blob Storage")
        self.assertEqual(env_of(job)["DATABASE_URL"], url)
        self.assertEqual(env_of(job)["DATABASE_AUTH"], "managed-identity")
        self.assertEqual(env_of(job)["AZURE_STORAGE_CONNECTION_STRING"],
                         "BlobEndpoint=https://vitrinadata.blob.core.windows.net")
        self.assertEqual(env_of(job)["AZURE_STORAGE_AUTH"], "managed-identity")
        self.assertEqual(env_of(job)["APPLICATIONINSIGHTS_AUTH"], "managed-identity")
        # The only secret left is Firebase's (not an Azure service); the job has none at all.
        self.assertEqual([s["name"] for s in app["properties"]["configuration"]["secrets"]],
                         ["firebase-api-key"])
        self.assertEqual([v for v in env_of(app).values() if isinstance(v, tuple)],
                         [("secretRef", "firebase-api-key")])
        self.assertNotIn("secrets", job["properties"]["configuration"])
        self.assertEqual([v for v in env_of(job).values() if isinstance(v, tuple)], [])
        for text in (app_text, job_text):
            for secret_value in (PG_PASSWORD, "AccountKey", "c3RvcmFnZS1rZXk=", "redis-access-key"):
                self.assertNotIn(secret_value, text)
        # Key Vault: only what Data Factory (and Firebase) still need.
        self.assertEqual(set(deployment.secrets()),
                         {"pg-password", "storage-connection-string", "firebase-api-key"})
        self.assertIn("az storage blob upload --auth-mode login --account-name vitrinadata",
                      self.output)

    def test_passwordless_is_idempotent_and_reaches_an_existing_deployment(self):
        # Deployed with keys first, then switched: the existing server gets Entra auth by update.
        deployment, _ = self.deploy()
        _, switched = self.deploy(deployment, AUTH_MODE="managed-identity",
                                  STORAGE_SHARED_KEY="disabled", APPI_LOCAL_AUTH="disabled")
        self.assertEqual(calls_of(switched, "postgres", "flexible-server", "create"), [])
        (update,) = calls_of(switched, "postgres", "flexible-server", "update")
        self.assertEqual(option(update, "--microsoft-entra-auth"), "Enabled")
        self.assertEqual(option(update, "--password-auth"), "Enabled")
        self.assertEqual(len(calls_of(switched, "postgres", "flexible-server",
                                      "microsoft-entra-admin", "create")), 1)
        (account,) = calls_of(switched, "storage", "account", "create")
        self.assertEqual(option(account, "--allow-shared-key-access"), "false")
        (local_auth,) = calls_of(switched, "resource", "update")
        self.assertEqual((option(local_auth, "--ids"), option(local_auth, "--set")),
                         (APPI_ID, "properties.DisableLocalAuth=true"))
        # Run again with the same settings: nothing is created, granted or switched again.
        _, again = self.deploy(deployment, AUTH_MODE="managed-identity",
                               STORAGE_SHARED_KEY="disabled", APPI_LOCAL_AUTH="disabled")
        for command in GUARDED_CREATES + [
                ["postgres", "flexible-server", "update"],
                ["postgres", "flexible-server", "microsoft-entra-admin", "create"],
                ["redisenterprise", "database", "access-policy-assignment", "create"],
                ["resource", "update"]]:
            self.assertEqual(calls_of(again, *command), [], f"second run: {' '.join(command)}")
        self.assertNotIn(["sleep", "0"], again, "nothing granted, nothing to wait for")
        # And back: local authentication on again.
        _, back = self.deploy(deployment, AUTH_MODE="managed-identity")
        (local_auth,) = calls_of(back, "resource", "update")
        self.assertEqual(option(local_auth, "--set"), "properties.DisableLocalAuth=false")
        self.assertEqual(option(calls_of(back, "storage", "account", "create")[0],
                                "--allow-shared-key-access"), "true")

    def test_each_service_can_be_chosen_on_its_own(self):
        deployment, calls = self.deploy(AUTH_MODE="managed-identity", DATABASE_AUTH="password",
                                        APPLICATIONINSIGHTS_AUTH="key")
        self.assertIsNone(option(calls_of(calls, "postgres", "flexible-server", "create")[0],
                                 "--microsoft-entra-auth"))
        self.assertEqual(calls_of(calls, "postgres", "flexible-server", "microsoft-entra-admin",
                                  "create"), [])
        self.assertNotIn("Monitoring Metrics Publisher", {role for _, role, _ in roles_of(calls)})
        _, job = deployment.yaml("etl-job.yaml")
        env = env_of(job)
        self.assertEqual(env["DATABASE_URL"], ("secretRef", "database-url"))
        self.assertEqual(env["APPLICATIONINSIGHTS_CONNECTION_STRING"],
                         ("secretRef", "appi-connection-string"))
        self.assertNotIn("DATABASE_AUTH", env)
        self.assertNotIn("APPLICATIONINSIGHTS_AUTH", env)
        self.assertEqual(env["AZURE_STORAGE_AUTH"], "managed-identity")
        self.assertEqual(env_of(deployment.yaml("app.yaml")[1])["REDIS_AUTH"], "managed-identity")
        self.assertEqual({s["name"] for s in job["properties"]["configuration"]["secrets"]},
                         {"database-url", "appi-connection-string"})
        self.assertEqual(deployment.secrets()["database-url"],
                         f"postgresql://vitrina:{PG_PASSWORD}@{PG_HOST}:5432/vitrina?sslmode=require")

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
        # The default: secrets, no *_AUTH, and no Blob Storage for `serve` (only the job reads it).
        for name in ("DATABASE_AUTH", "REDIS_AUTH", "AZURE_STORAGE_AUTH", "APPLICATIONINSIGHTS_AUTH",
                     "AZURE_STORAGE_CONNECTION_STRING"):
            self.assertNotIn(name, env)
        self.assertEqual(calls_of(calls, "resource", "update"), [])
        self.assertEqual(calls_of(calls, "postgres", "flexible-server", "microsoft-entra-admin",
                                  "create"), [])
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
        self.assertEqual({k: v for k, v in env_of(job).items() if isinstance(v, tuple)},
                         {"DATABASE_URL": ("secretRef", "database-url"),
                          "AZURE_STORAGE_CONNECTION_STRING": ("secretRef", "storage-connection-string"),
                          "APPLICATIONINSIGHTS_CONNECTION_STRING": ("secretRef", "appi-connection-string")})
        self.assertEqual({s["name"] for s in job["properties"]["configuration"]["secrets"]},
                         {"database-url", "storage-connection-string", "appi-connection-string"})
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
        # -x from the root: the smoke scripts source deploy/docker/engine.sh by that path.
        result = subprocess.run(
            [shellcheck, "-x", *scripts], capture_output=True, text=True, cwd=ROOT
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
