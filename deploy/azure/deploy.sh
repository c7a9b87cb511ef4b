#!/usr/bin/env bash
# Deploys Vitrina to Azure with the az CLI: a registry, the managed engines it scales on, a Key
# Vault for every secret, and the API on Azure Container Apps, declared in full (probes, scale
# rule, secrets) by a YAML file this script writes. Every name is a variable; re-running it
# converges: resources whose `az ... create` would reset them (Key Vault, Managed Redis, the
# PostgreSQL server, the Container Apps environment, app and job) are created only when missing,
# the rest are PUTs that update in place.
#
#   az login && az account set --subscription <id>
#   PREFIX=vitrina LOCATION=westeurope PG_PASSWORD='...' FIREBASE_PROJECT_ID=my-project \
#   FIREBASE_API_KEY=... deploy/azure/deploy.sh
#
# AUTH_MODE=managed-identity reaches PostgreSQL, Redis, Blob Storage and Application Insights with
# the app's managed identity instead of passwords and keys (docs/deploy.md, "Passwordless").
#
# Not run in CI (Azure is unreachable from the build machines): tests/deploy/deploy_script_test.py
# runs it against a recording stand-in for `az` and checks the calls and the generated YAML.
# docs/deploy.md walks through it.
set -euo pipefail

PREFIX=${PREFIX:-vitrina}
LOCATION=${LOCATION:-westeurope}
RG=${RG:-$PREFIX-rg}
ACR=${ACR:-${PREFIX//-/}acr}
PG_SERVER=${PG_SERVER:-$PREFIX-pg}
PG_ADMIN=${PG_ADMIN:-vitrina}
PG_PASSWORD=${PG_PASSWORD:?set PG_PASSWORD}
REDIS=${REDIS:-$PREFIX-redis}
STORAGE=${STORAGE:-${PREFIX//-/}data}
KEY_VAULT=${KEY_VAULT:-${PREFIX//-/}kv}
LOG_WORKSPACE=${LOG_WORKSPACE:-$PREFIX-logs}
APPI=${APPI:-$PREFIX-appi}
ENV_NAME=${ENV_NAME:-$PREFIX-env}
APP=${APP:-$PREFIX-api}
IDENTITY=${IDENTITY:-$PREFIX-pull}
MIN_REPLICAS=${MIN_REPLICAS:-1}
MAX_REPLICAS=${MAX_REPLICAS:-5}
# Concurrent requests per replica before another replica is added (HTTP scale rule).
HTTP_CONCURRENCY=${HTTP_CONCURRENCY:-50}
# Server connections per replica: MAX_REPLICAS * DB_POOL_SIZE (+ the job) must stay under the
# PostgreSQL tier's max_connections (Standard_B1ms: 50).
DB_POOL_SIZE=${DB_POOL_SIZE:-8}
# Share of operations whose telemetry is sent (failures always are). Application Insights bills
# the uncompressed JSON it ingests: measured on cached reads, 0.90 GB per million requests at
# 100 %, 0.09 GB at 10 % (docs/results/telemetry-sampling.json); the portal's counts, rates and
# averages stay right because every kept item carries its sampleRate (docs/observability.md,
# "Sampling").
TELEMETRY_SAMPLING_PERCENTAGE=${TELEMETRY_SAMPLING_PERCENTAGE:-10}
# Daily ingestion cap of the Log Analytics workspace, in GB: the hard limit on the telemetry bill.
LOG_DAILY_CAP_GB=${LOG_DAILY_CAP_GB:-1}
# Azure Managed Redis (Azure Cache for Redis Basic/Standard/Premium are being retired). Balanced_B0
# is the smallest SKU; it replicates within the region (high availability) and listens with TLS
# only, on port 10000.
REDIS_SKU=${REDIS_SKU:-Balanced_B0}
# EnterpriseCluster: one endpoint, Redis's proxy routes each command to its shard, so the app
# uses its single-node client (REDIS_URL). OSSCluster exposes the shards (faster, no proxy hop)
# and needs the app's cluster client (REDIS_CLUSTER_NODES), which logs in only with a managed
# identity token. The policy is fixed when the database is created (docs/deploy.md, "Redis").
REDIS_CLUSTERING_POLICY=${REDIS_CLUSTERING_POLICY:-EnterpriseCluster}
# How the app and the job authenticate to each service (docs/deploy.md, "Passwordless"): with the
# secret in its Key Vault entry (key, password) or with a Microsoft Entra token of the identity
# (managed-identity; src/vitrina/identity/). AUTH_MODE is the default of all four; each *_AUTH
# overrides it. The variables are the app's own, passed to it as they are.
AUTH_MODE=${AUTH_MODE:-key}
if [[ $AUTH_MODE == managed-identity ]]; then auth_default=managed-identity; else auth_default=''; fi
# password: DATABASE_URL with the server admin's password; managed-identity: the identity is a
# Microsoft Entra administrator of the server and logs in as itself with a token.
DATABASE_AUTH=${DATABASE_AUTH:-${auth_default:-password}}
# key: the database's access key, in REDIS_URL (a Key Vault secret); managed-identity: Entra ID
# (AUTH <object id> <token>), access keys disabled on the database.
REDIS_AUTH=${REDIS_AUTH:-${auth_default:-key}}
# key: the job reads the CSV with the account key; managed-identity: a bearer token, with Storage
# Blob Data Reader on the container.
AZURE_STORAGE_AUTH=${AZURE_STORAGE_AUTH:-${auth_default:-key}}
# key: telemetry sent with the instrumentation key alone; managed-identity: with a bearer token,
# the identity being Monitoring Metrics Publisher on the component.
APPLICATIONINSIGHTS_AUTH=${APPLICATIONINSIGHTS_AUTH:-${auth_default:-key}}
# disabled: the storage account refuses Shared Key (and SAS signed with it); only Entra ID gets in.
# Needs AZURE_STORAGE_AUTH=managed-identity; Data Factory's Blob linked service, which uses the
# connection string, stops working (docs/deploy.md).
STORAGE_SHARED_KEY=${STORAGE_SHARED_KEY:-enabled}
# disabled: Application Insights ingests only Entra-authenticated telemetry. Needs
# APPLICATIONINSIGHTS_AUTH=managed-identity.
APPI_LOCAL_AUTH=${APPI_LOCAL_AUTH:-enabled}
# Browser origins allowed to call the API from elsewhere (comma-separated); unset: none.
CORS_ALLOWED_ORIGINS=${CORS_ALLOWED_ORIGINS:-}
# How long a new role assignment is given to propagate before it is relied on.
ROLE_PROPAGATION_SECONDS=${ROLE_PROPAGATION_SECONDS:-30}
# Where the Container Apps YAML files are written (kept for review; nothing secret is in them).
DEPLOY_OUT=${DEPLOY_OUT:-$(mktemp -d -t vitrina-deploy.XXXXXX)}
TAG=${TAG:-$(git rev-parse --short HEAD)}
FIREBASE_PROJECT_ID=${FIREBASE_PROJECT_ID:?set FIREBASE_PROJECT_ID}
FIREBASE_API_KEY=${FIREBASE_API_KEY:?set FIREBASE_API_KEY}

die() {
  printf 'deploy: %s\n' "$*" >&2
  exit 2
}
case $REDIS_CLUSTERING_POLICY in
  EnterpriseCluster | OSSCluster) ;;
  *) die "REDIS_CLUSTERING_POLICY must be EnterpriseCluster or OSSCluster, not '$REDIS_CLUSTERING_POLICY'" ;;
esac
case $AUTH_MODE in
  key | managed-identity) ;;
  *) die "AUTH_MODE must be key or managed-identity, not '$AUTH_MODE'" ;;
esac
case $DATABASE_AUTH in
  password | managed-identity) ;;
  *) die "DATABASE_AUTH must be password or managed-identity, not '$DATABASE_AUTH'" ;;
esac
for setting in REDIS_AUTH AZURE_STORAGE_AUTH APPLICATIONINSIGHTS_AUTH; do
  case ${!setting} in
    key | managed-identity) ;;
    *) die "$setting must be key or managed-identity, not '${!setting}'" ;;
  esac
done
for setting in STORAGE_SHARED_KEY APPI_LOCAL_AUTH; do
  case ${!setting} in
    enabled | disabled) ;;
    *) die "$setting must be enabled or disabled, not '${!setting}'" ;;
  esac
done
# Turning the key off while the app still uses it would deploy an app that cannot start.
if [[ $STORAGE_SHARED_KEY == disabled && $AZURE_STORAGE_AUTH != managed-identity ]]; then
  die "STORAGE_SHARED_KEY=disabled needs AZURE_STORAGE_AUTH=managed-identity"
fi
if [[ $APPI_LOCAL_AUTH == disabled && $APPLICATIONINSIGHTS_AUTH != managed-identity ]]; then
  die "APPI_LOCAL_AUTH=disabled needs APPLICATIONINSIGHTS_AUTH=managed-identity"
fi
# The cluster client takes host:port seeds only, no password: with OSSCluster it logs in with
# the identity's token.
if [[ $REDIS_CLUSTERING_POLICY == OSSCluster && $REDIS_AUTH != managed-identity ]]; then
  die "REDIS_CLUSTERING_POLICY=OSSCluster needs REDIS_AUTH=managed-identity"
fi
mkdir -p "$DEPLOY_OUT"

step() { printf '\n== %s\n' "$*"; }
# exists AZ-ARGS...: whether `az AZ-ARGS... show` finds the resource.
exists() { az "$@" -o none >/dev/null 2>&1; }
# grant ROLE SCOPE PRINCIPAL [TYPE]: the role assignment, once.
granted_any=''
grant() {
  local role=$1 scope=$2 principal=$3 type=${4:-ServicePrincipal}
  if [[ -z $(az role assignment list --assignee "$principal" --scope "$scope" --role "$role" \
    --query '[0].id' -o tsv) ]]; then
    az role assignment create --assignee-object-id "$principal" --assignee-principal-type "$type" \
      --role "$role" --scope "$scope" -o none
    granted_any=1
  fi
}
wait_for_roles() {
  if [[ -n $granted_any ]]; then
    sleep "$ROLE_PROPAGATION_SECONDS"
    granted_any=''
  fi
}
# A YAML double-quoted scalar (the same escapes as JSON for what can occur here).
q() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

step "resource group $RG"
az group create -n "$RG" -l "$LOCATION" -o none

step "container registry $ACR and image vitrina:$TAG (built in Azure from this folder)"
az acr create -g "$RG" -n "$ACR" --sku Basic --admin-enabled false -o none
az acr build -r "$ACR" -t "vitrina:$TAG" -t vitrina:latest .

# A user-assigned identity, created before the app: with a system-assigned identity the app's
# first revision would try to pull (and read Key Vault) before its identity has the roles. The
# app and the job use it for the registry, Key Vault and, with *_AUTH=managed-identity, the services.
step "managed identity $IDENTITY with AcrPull on $ACR"
az identity create -g "$RG" -n "$IDENTITY" -l "$LOCATION" -o none
IDENTITY_ID=$(az identity show -g "$RG" -n "$IDENTITY" --query id -o tsv)
IDENTITY_PRINCIPAL=$(az identity show -g "$RG" -n "$IDENTITY" --query principalId -o tsv)
IDENTITY_CLIENT_ID=$(az identity show -g "$RG" -n "$IDENTITY" --query clientId -o tsv)
ACR_ID=$(az acr show -g "$RG" -n "$ACR" --query id -o tsv)
grant AcrPull "$ACR_ID" "$IDENTITY_PRINCIPAL"

# RBAC mode: the app's identity may read secrets, whoever runs this may write them. `create` on an
# existing vault would reset it, hence the check.
step "Key Vault $KEY_VAULT"
if ! exists keyvault show -g "$RG" -n "$KEY_VAULT"; then
  az keyvault create -g "$RG" -n "$KEY_VAULT" -l "$LOCATION" --enable-rbac-authorization true -o none
fi
KEY_VAULT_ID=$(az keyvault show -g "$RG" -n "$KEY_VAULT" --query id -o tsv)
KEY_VAULT_URI=$(az keyvault show -g "$RG" -n "$KEY_VAULT" --query properties.vaultUri -o tsv)
KEY_VAULT_URI=${KEY_VAULT_URI%/}
# The deployer: a user (az login) or, in CI, a service principal (DEPLOYER_OBJECT_ID and
# DEPLOYER_TYPE=ServicePrincipal).
DEPLOYER_OBJECT_ID=${DEPLOYER_OBJECT_ID:-$(az ad signed-in-user show --query id -o tsv)}
grant "Key Vault Secrets Officer" "$KEY_VAULT_ID" "$DEPLOYER_OBJECT_ID" "${DEPLOYER_TYPE:-User}"
grant "Key Vault Secrets User" "$KEY_VAULT_ID" "$IDENTITY_PRINCIPAL"
wait_for_roles
# put_secret NAME VALUE: a new version of the secret (idempotent: the app reads the latest).
put_secret() { az keyvault secret set --vault-name "$KEY_VAULT" -n "$1" --value "$2" -o none; }

step "Azure Database for PostgreSQL flexible server $PG_SERVER (auth: $DATABASE_AUTH)"
# Password authentication stays on in both modes: the admin and Data Factory's linked service use it.
pg_entra=()
if [[ $DATABASE_AUTH == managed-identity ]]; then
  pg_entra=(--microsoft-entra-auth Enabled --password-auth Enabled)
fi
if ! exists postgres flexible-server show -g "$RG" -n "$PG_SERVER"; then
  az postgres flexible-server create -g "$RG" -n "$PG_SERVER" -l "$LOCATION" \
    --tier Burstable --sku-name Standard_B1ms --version 15 --storage-size 32 \
    --admin-user "$PG_ADMIN" --admin-password "$PG_PASSWORD" --public-access 0.0.0.0 \
    "${pg_entra[@]}" -o none
elif [[ $DATABASE_AUTH == managed-identity && $(az postgres flexible-server show -g "$RG" \
  -n "$PG_SERVER" --query authConfig.activeDirectoryAuth -o tsv) != Enabled ]]; then
  az postgres flexible-server update -g "$RG" -n "$PG_SERVER" "${pg_entra[@]}" -o none
fi
az postgres flexible-server db create -g "$RG" -s "$PG_SERVER" -d vitrina -o none
PG_HOST=$PG_SERVER.postgres.database.azure.com
if [[ $DATABASE_AUTH == password ]]; then
  put_secret database-url "postgresql://$PG_ADMIN:$PG_PASSWORD@$PG_HOST:5432/vitrina?sslmode=require"
  database_env=(DATABASE_URL=secret:database-url)
else
  # The identity as a Microsoft Entra administrator: PostgreSQL gets a role named after it (the
  # display name), an administrator like the password admin the app would otherwise log in as, and
  # the app logs in as that role with a token as the password. No URL holds a secret.
  if ! exists postgres flexible-server microsoft-entra-admin show -g "$RG" -s "$PG_SERVER" \
    --object-id "$IDENTITY_PRINCIPAL"; then
    az postgres flexible-server microsoft-entra-admin create -g "$RG" -s "$PG_SERVER" \
      --display-name "$IDENTITY" --object-id "$IDENTITY_PRINCIPAL" --type ServicePrincipal -o none
  fi
  database_env=("DATABASE_URL=postgresql://$IDENTITY@$PG_HOST:5432/vitrina?sslmode=require"
    DATABASE_AUTH=managed-identity)
fi
# For Data Factory's PostgreSQL linked service (deploy/adf/linkedService/VitrinaPostgres.json),
# which logs in with the admin's password in both modes.
put_secret pg-password "$PG_PASSWORD"

# Azure Managed Redis: TLS only (rediss://, port 10000), verified against the system's trust
# store. VolatileLFU: when full, Redis evicts keys with a TTL, least frequently used first, and
# never the key registry, which has none (docs/cache.md, "Memory and fairness"); the cache turns
# itself off under an allkeys-* policy. `create` would recreate an existing cluster, hence the
# check; the clustering policy and port are fixed at creation.
step "Azure Managed Redis $REDIS ($REDIS_SKU, $REDIS_CLUSTERING_POLICY, auth: $REDIS_AUTH)"
if [[ $REDIS_AUTH == key ]]; then access_keys=Enabled; else access_keys=Disabled; fi
if ! exists redisenterprise show -g "$RG" --cluster-name "$REDIS"; then
  az redisenterprise create -g "$RG" --cluster-name "$REDIS" -l "$LOCATION" --sku "$REDIS_SKU" \
    --minimum-tls-version 1.2 --public-network-access Enabled \
    --client-protocol Encrypted --port 10000 --clustering-policy "$REDIS_CLUSTERING_POLICY" \
    --eviction-policy VolatileLFU --access-keys-authentication "$access_keys" -o none
fi
az redisenterprise database update -g "$RG" --cluster-name "$REDIS" \
  --access-keys-authentication "$access_keys" -o none
REDIS_HOST=$(az redisenterprise show -g "$RG" --cluster-name "$REDIS" --query hostName -o tsv)
redis_env=()
if [[ $REDIS_AUTH == key ]]; then
  REDIS_KEY=$(az redisenterprise database list-keys -g "$RG" --cluster-name "$REDIS" \
    --query primaryKey -o tsv)
  put_secret redis-url "rediss://:$REDIS_KEY@$REDIS_HOST:10000"
  redis_env+=(REDIS_URL=secret:redis-url)
else
  # The identity is a Redis user named by its object id, with the default ("Data Owner") policy.
  if ! exists redisenterprise database access-policy-assignment show -g "$RG" \
    --cluster-name "$REDIS" --database-name default --access-policy-assignment-name vitrinaapi; then
    az redisenterprise database access-policy-assignment create -g "$RG" --cluster-name "$REDIS" \
      --database-name default --access-policy-assignment-name vitrinaapi \
      --access-policy-name default --object-id "$IDENTITY_PRINCIPAL" -o none
  fi
  redis_env+=(REDIS_AUTH=managed-identity)
  if [[ $REDIS_CLUSTERING_POLICY == OSSCluster ]]; then
    redis_env+=("REDIS_CLUSTER_NODES=$REDIS_HOST:10000" REDIS_TLS=true
      "REDIS_TLS_SERVER_NAME=$REDIS_HOST")
  else
    redis_env+=("REDIS_URL=rediss://$REDIS_HOST:10000")
  fi
fi

step "storage account $STORAGE with container 'datasets' (auth: $AZURE_STORAGE_AUTH, shared key: $STORAGE_SHARED_KEY)"
if [[ $STORAGE_SHARED_KEY == enabled ]]; then shared_key=true; else shared_key=false; fi
az storage account create -g "$RG" -n "$STORAGE" -l "$LOCATION" --sku Standard_LRS \
  --min-tls-version TLS1_2 --allow-shared-key-access "$shared_key" -o none
# Through Azure Resource Manager rather than the blob endpoint: it works with Shared Key disabled
# and needs no data role for whoever runs this.
az storage container-rm create -g "$RG" --storage-account "$STORAGE" -n datasets -o none
# The name Data Factory's Blob Storage linked service reads (deploy/adf/linkedService/). With
# Shared Key disabled the key in it is refused (docs/deploy.md, "Passwordless").
put_secret storage-connection-string \
  "$(az storage account show-connection-string -g "$RG" -n "$STORAGE" -o tsv)"
# Only the job reads Blob Storage (`vitrina etl run` downloads the CSV; `serve` never touches it).
if [[ $AZURE_STORAGE_AUTH == key ]]; then
  storage_env=(AZURE_STORAGE_CONNECTION_STRING=secret:storage-connection-string)
else
  STORAGE_ID=$(az storage account show -g "$RG" -n "$STORAGE" --query id -o tsv)
  DATASETS_SCOPE=$STORAGE_ID/blobServices/default/containers/datasets
  # Least privilege: the job only reads, and only this container. The deployer uploads the CSV
  # with its own Entra login (the command printed at the end).
  grant "Storage Blob Data Reader" "$DATASETS_SCOPE" "$IDENTITY_PRINCIPAL"
  grant "Storage Blob Data Contributor" "$DATASETS_SCOPE" "$DEPLOYER_OBJECT_ID" "${DEPLOYER_TYPE:-User}"
  BLOB_ENDPOINT=$(az storage account show -g "$RG" -n "$STORAGE" --query primaryEndpoints.blob -o tsv)
  # The endpoint only: no AccountKey, the app sends the identity's bearer token.
  storage_env=("AZURE_STORAGE_CONNECTION_STRING=BlobEndpoint=${BLOB_ENDPOINT%/}"
    AZURE_STORAGE_AUTH=managed-identity)
fi

# Workspace-based Application Insights (classic resources are retired): its data lives in the
# Log Analytics workspace, which the Container Apps environment's logs share, under one daily cap.
step "Log Analytics workspace $LOG_WORKSPACE and Application Insights $APPI"
az monitor log-analytics workspace create -g "$RG" --workspace-name "$LOG_WORKSPACE" -l "$LOCATION" \
  --quota "$LOG_DAILY_CAP_GB" -o none
WORKSPACE_ID=$(az monitor log-analytics workspace show -g "$RG" --workspace-name "$LOG_WORKSPACE" --query id -o tsv)
WORKSPACE_CUSTOMER_ID=$(az monitor log-analytics workspace show -g "$RG" --workspace-name "$LOG_WORKSPACE" \
  --query customerId -o tsv)
WORKSPACE_KEY=$(az monitor log-analytics workspace get-shared-keys -g "$RG" --workspace-name "$LOG_WORKSPACE" \
  --query primarySharedKey -o tsv)
az extension add --upgrade -n application-insights -o none
az monitor app-insights component create -g "$RG" -a "$APPI" -l "$LOCATION" \
  --kind web --application-type web --workspace "$WORKSPACE_ID" -o none
APPI_ID=$(az monitor app-insights component show -g "$RG" -a "$APPI" --query id -o tsv)
APPI_CONNECTION_STRING=$(az monitor app-insights component show -g "$RG" -a "$APPI" \
  --query connectionString -o tsv)
if [[ $APPLICATIONINSIGHTS_AUTH == key ]]; then
  put_secret appi-connection-string "$APPI_CONNECTION_STRING"
  telemetry_env=(APPLICATIONINSIGHTS_CONNECTION_STRING=secret:appi-connection-string)
else
  # The role's name says metrics; it covers every telemetry type. The connection string then only
  # names the resource and its endpoint (Microsoft does not count it as a secret), so it is a plain
  # value; with local authentication disabled it alone lets nobody send anything.
  grant "Monitoring Metrics Publisher" "$APPI_ID" "$IDENTITY_PRINCIPAL"
  telemetry_env=("APPLICATIONINSIGHTS_CONNECTION_STRING=$APPI_CONNECTION_STRING"
    APPLICATIONINSIGHTS_AUTH=managed-identity)
fi
# Local authentication (the instrumentation key alone) on or off. The component's CLI has no flag
# for it: the generic ARM update sets the property, only when it differs (a re-run's `component
# create` above is a PUT and may have reset it, which this then repairs).
if [[ $APPI_LOCAL_AUTH == disabled ]]; then disable_local_auth=true; else disable_local_auth=false; fi
local_auth_now=$(az resource show --ids "$APPI_ID" --query properties.DisableLocalAuth -o tsv)
local_auth_now=${local_auth_now,,}
if [[ ${local_auth_now:-false} != "$disable_local_auth" ]]; then
  az resource update --ids "$APPI_ID" --set "properties.DisableLocalAuth=$disable_local_auth" -o none
fi
put_secret firebase-api-key "$FIREBASE_API_KEY"
# The workbook (deploy/azure/workbook.json, docs/observability.md): GET /catalog by cache result,
# before/after, the slowest dependencies, failures. Its name must be a GUID: one derived from the
# group and the component, so a second run replaces the same workbook (create is a PUT).
WORKBOOK_NAME=$(python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, sys.argv[1]))' \
  "vitrina-workbook:$RG:$APPI")
az monitor app-insights workbook create -g "$RG" -n "$WORKBOOK_NAME" -l "$LOCATION" --kind shared \
  --category workbook --display-name "Vitrina" --source-id "$APPI_ID" \
  --serialized-data "@$(dirname "$0")/workbook.json" -o none

step "Container Apps environment $ENV_NAME"
az extension add --upgrade -n containerapp -o none
if ! exists containerapp env show -g "$RG" -n "$ENV_NAME"; then
  az containerapp env create -g "$RG" -n "$ENV_NAME" -l "$LOCATION" \
    --logs-destination log-analytics --logs-workspace-id "$WORKSPACE_CUSTOMER_ID" \
    --logs-workspace-key "$WORKSPACE_KEY" -o none
fi
ENV_ID=$(az containerapp env show -g "$RG" -n "$ENV_NAME" --query id -o tsv)

# Secrets as Key Vault references read with the app's identity: the values never pass through
# Container Apps' configuration, and rotating one is a new secret version plus a restart.
# secrets_yaml NAME=VALUE...: the `secrets:` section for the environment's `secret:NAME` values,
# so exactly the secrets the environment refers to are declared (none: no section).
secrets_yaml() {
  local pair name
  local -a names=()
  for pair in "$@"; do
    if [[ ${pair#*=} == secret:* ]]; then names+=("${pair#*=secret:}"); fi
  done
  if ((${#names[@]} == 0)); then return; fi
  printf '    secrets:\n'
  for name in "${names[@]}"; do
    printf '    - name: %s\n      keyVaultUrl: %s\n      identity: %s\n' "$name" \
      "$(q "$KEY_VAULT_URI/secrets/$name")" "$(q "$IDENTITY_ID")"
  done
}
# env_yaml NAME=VALUE...: the `env:` entries; VALUE `secret:NAME` is a secretRef.
env_yaml() {
  local pair name value
  for pair in "$@"; do
    name=${pair%%=*} value=${pair#*=}
    if [[ $value == secret:* ]]; then
      printf '          - name: %s\n            secretRef: %s\n' "$name" "${value#secret:}"
    else
      printf '          - name: %s\n            value: %s\n' "$name" "$(q "$value")"
    fi
  done
}
registries_yaml() {
  printf '    registries:\n    - server: %s\n      identity: %s\n' "$ACR.azurecr.io" "$(q "$IDENTITY_ID")"
}
identity_yaml() {
  printf 'identity:\n  type: UserAssigned\n  userAssignedIdentities:\n    %s: {}\n' "$(q "$IDENTITY_ID")"
}

# No Blob Storage settings: `serve` never reads it (only the job does).
app_env=(VITRINA_ENV=production "${database_env[@]}" "${telemetry_env[@]}"
  TELEMETRY_SAMPLING_PERCENTAGE="$TELEMETRY_SAMPLING_PERCENTAGE"
  FIREBASE_PROJECT_ID="$FIREBASE_PROJECT_ID" FIREBASE_API_KEY=secret:firebase-api-key
  TRUSTED_PROXY_HOPS=1 THREADS=2 DB_POOL_SIZE="$DB_POOL_SIZE"
  # Picks the user-assigned identity when the app asks Container Apps' endpoint for a token.
  AZURE_CLIENT_ID="$IDENTITY_CLIENT_ID"
  "${redis_env[@]}")
if [[ -n $CORS_ALLOWED_ORIGINS ]]; then app_env+=(CORS_ALLOWED_ORIGINS="$CORS_ALLOWED_ORIGINS"); fi

# The whole app in one file: probes and the scale rule cannot be given as `az containerapp
# create` flags. Liveness on /healthz (the process answers), readiness on /readyz (503 while
# PostgreSQL is unreachable: the replica gets no traffic but is not restarted), and a startup
# probe so a slow first start is not killed by the liveness probe.
APP_YAML=$DEPLOY_OUT/app.yaml
{
  printf 'name: %s\nlocation: %s\ntype: Microsoft.App/containerApps\n' "$APP" "$LOCATION"
  identity_yaml
  printf 'properties:\n  managedEnvironmentId: %s\n  configuration:\n' "$(q "$ENV_ID")"
  printf '    activeRevisionsMode: Single\n'
  printf '    ingress:\n      external: true\n      targetPort: 8080\n      transport: auto\n'
  registries_yaml
  secrets_yaml "${app_env[@]}"
  printf '  template:\n    containers:\n      - name: vitrina\n        image: %s\n' \
    "$ACR.azurecr.io/vitrina:$TAG"
  printf '        resources:\n          cpu: 1.0\n          memory: 2Gi\n'
  printf '        env:\n'
  env_yaml "${app_env[@]}"
  cat <<'YAML'
        probes:
          - type: Startup
            httpGet:
              path: /healthz
              port: 8080
            periodSeconds: 2
            failureThreshold: 30
            timeoutSeconds: 3
          - type: Liveness
            httpGet:
              path: /healthz
              port: 8080
            periodSeconds: 10
            failureThreshold: 3
            timeoutSeconds: 3
          - type: Readiness
            httpGet:
              path: /readyz
              port: 8080
            periodSeconds: 5
            failureThreshold: 2
            timeoutSeconds: 3
YAML
  printf '    scale:\n      minReplicas: %s\n      maxReplicas: %s\n' "$MIN_REPLICAS" "$MAX_REPLICAS"
  printf '      rules:\n        - name: http\n          http:\n            metadata:\n'
  printf '              concurrentRequests: "%s"\n' "$HTTP_CONCURRENCY"
} >"$APP_YAML"

# The roles the app needs at start (Key Vault, AcrPull, Blob Storage, telemetry) must have
# propagated before its first revision starts.
wait_for_roles
step "Container App $APP (from $APP_YAML)"
if exists containerapp show -g "$RG" -n "$APP"; then
  az containerapp update -g "$RG" -n "$APP" --yaml "$APP_YAML" -o none
else
  az containerapp create -g "$RG" -n "$APP" --yaml "$APP_YAML" -o none
fi

# The schema and the first load: one-off runs of the same image, started on demand.
JOB=$APP-etl
JOB_YAML=$DEPLOY_OUT/etl-job.yaml
job_env=("${database_env[@]}" "${storage_env[@]}" "${telemetry_env[@]}"
  AZURE_CLIENT_ID="$IDENTITY_CLIENT_ID")
{
  printf 'name: %s\nlocation: %s\ntype: Microsoft.App/jobs\n' "$JOB" "$LOCATION"
  identity_yaml
  printf 'properties:\n  environmentId: %s\n  configuration:\n' "$(q "$ENV_ID")"
  printf '    triggerType: Manual\n    replicaTimeout: 1800\n    replicaRetryLimit: 0\n'
  printf '    manualTriggerConfig:\n      parallelism: 1\n      replicaCompletionCount: 1\n'
  registries_yaml
  secrets_yaml "${job_env[@]}"
  printf '  template:\n    containers:\n      - name: etl\n        image: %s\n' \
    "$ACR.azurecr.io/vitrina:$TAG"
  printf '        command: ["/bin/sh"]\n'
  printf '        args: ["-c", %s]\n' "$(q "vitrina migrate && vitrina etl run --spec /app/datasets/diamonds.yaml --if-changed az://datasets/diamonds.csv")"
  printf '        resources:\n          cpu: 1.0\n          memory: 2Gi\n'
  printf '        env:\n'
  env_yaml "${job_env[@]}"
} >"$JOB_YAML"

step "Container Apps job $JOB (from $JOB_YAML)"
if exists containerapp job show -g "$RG" -n "$JOB"; then
  az containerapp job update -g "$RG" -n "$JOB" --yaml "$JOB_YAML" -o none
else
  az containerapp job create -g "$RG" -n "$JOB" --yaml "$JOB_YAML" -o none
fi

if [[ $AZURE_STORAGE_AUTH == key ]]; then
  echo "upload the CSV:  az storage blob upload --connection-string \"\$(az keyvault secret show --vault-name $KEY_VAULT -n storage-connection-string --query value -o tsv)\" -c datasets -n diamonds.csv -f diamonds.csv"
else
  echo "upload the CSV:  az storage blob upload --auth-mode login --account-name $STORAGE -c datasets -n diamonds.csv -f diamonds.csv"
fi
echo "then load it:    az containerapp job start -g $RG -n $JOB"
FQDN=$(az containerapp show -g "$RG" -n "$APP" --query properties.configuration.ingress.fqdn -o tsv)
echo "API: https://$FQDN  (docs: https://$FQDN/docs)"
