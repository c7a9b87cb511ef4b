#!/usr/bin/env bash
# Deploys Vitrina to Azure with the az CLI: a registry, the managed engines it scales on, and the
# API on Azure Container Apps. Every name is a variable; re-running it converges (az create
# commands on existing resources update them).
#
#   az login && az account set --subscription <id>
#   PREFIX=vitrina LOCATION=westeurope PG_PASSWORD='...' FIREBASE_PROJECT_ID=my-project \
#   FIREBASE_API_KEY=... deploy/azure/deploy.sh
#
# Not run in CI (Azure is unreachable from the build machines); docs/deploy.md walks through it.
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
TAG=${TAG:-$(git rev-parse --short HEAD)}
FIREBASE_PROJECT_ID=${FIREBASE_PROJECT_ID:?set FIREBASE_PROJECT_ID}
FIREBASE_API_KEY=${FIREBASE_API_KEY:?set FIREBASE_API_KEY}

step() { printf '\n== %s\n' "$*"; }

step "resource group $RG"
az group create -n "$RG" -l "$LOCATION" -o none

step "container registry $ACR and image vitrina:$TAG (built in Azure from this folder)"
az acr create -g "$RG" -n "$ACR" --sku Basic --admin-enabled false -o none
az acr build -r "$ACR" -t "vitrina:$TAG" -t vitrina:latest .

# A user-assigned identity with AcrPull, created before the app: with a system-assigned identity
# the app's first revision would try to pull before its identity has the role.
step "managed identity $IDENTITY with AcrPull on $ACR"
az identity create -g "$RG" -n "$IDENTITY" -l "$LOCATION" -o none
IDENTITY_ID=$(az identity show -g "$RG" -n "$IDENTITY" --query id -o tsv)
IDENTITY_PRINCIPAL=$(az identity show -g "$RG" -n "$IDENTITY" --query principalId -o tsv)
ACR_ID=$(az acr show -g "$RG" -n "$ACR" --query id -o tsv)
if [[ -z $(az role assignment list --assignee "$IDENTITY_PRINCIPAL" --scope "$ACR_ID" \
             --role AcrPull --query '[0].id' -o tsv) ]]; then
  az role assignment create --assignee-object-id "$IDENTITY_PRINCIPAL" \
    --assignee-principal-type ServicePrincipal --role AcrPull --scope "$ACR_ID" -o none
  sleep 30 # role assignments take a little while to propagate
fi

step "Azure Database for PostgreSQL flexible server $PG_SERVER"
az postgres flexible-server create -g "$RG" -n "$PG_SERVER" -l "$LOCATION" \
  --tier Burstable --sku-name Standard_B1ms --version 15 --storage-size 32 \
  --admin-user "$PG_ADMIN" --admin-password "$PG_PASSWORD" --public-access 0.0.0.0 -o none
az postgres flexible-server db create -g "$RG" -s "$PG_SERVER" -d vitrina -o none
DATABASE_URL="postgresql://$PG_ADMIN:$PG_PASSWORD@$PG_SERVER.postgres.database.azure.com:5432/vitrina?sslmode=require"

# Debian 12's hiredis (0.14) has no TLS, so the service talks to Redis on the non-TLS port 6379
# with the access key (docs/deploy.md: limitations). Standard/Premium tiers add replication;
# Premium or Enterprise adds clustering, which the cache code supports (REDIS_CLUSTER_NODES).
# volatile-lfu: when full, Redis evicts keys with a TTL, least frequently used first, and never
# the key registry, which has none (docs/cache.md, "Memory and fairness"). The cache turns itself
# off under an allkeys-* policy.
step "Azure Cache for Redis $REDIS"
az redis create -g "$RG" -n "$REDIS" -l "$LOCATION" --sku Basic --vm-size c0 \
  --enable-non-ssl-port --redis-configuration '{"maxmemory-policy":"volatile-lfu"}' -o none
REDIS_KEY=$(az redis list-keys -g "$RG" -n "$REDIS" --query primaryKey -o tsv)
REDIS_URL="redis://:$REDIS_KEY@$REDIS.redis.cache.windows.net:6379"

step "storage account $STORAGE with container 'datasets'"
az storage account create -g "$RG" -n "$STORAGE" -l "$LOCATION" --sku Standard_LRS -o none
STORAGE_CS=$(az storage account show-connection-string -g "$RG" -n "$STORAGE" -o tsv)
az storage container create --connection-string "$STORAGE_CS" -n datasets -o none

step "Application Insights $APPI"
az extension add --upgrade -n application-insights -o none
az monitor app-insights component create -g "$RG" -a "$APPI" -l "$LOCATION" -o none
APPI_CS=$(az monitor app-insights component show -g "$RG" -a "$APPI" --query connectionString -o tsv)

step "Container Apps environment $ENV_NAME and app $APP"
az extension add --upgrade -n containerapp -o none
az containerapp env create -g "$RG" -n "$ENV_NAME" -l "$LOCATION" -o none
az containerapp create -g "$RG" -n "$APP" --environment "$ENV_NAME" \
  --image "$ACR.azurecr.io/vitrina:$TAG" --registry-server "$ACR.azurecr.io" \
  --user-assigned "$IDENTITY_ID" --registry-identity "$IDENTITY_ID" \
  --ingress external --target-port 8080 \
  --min-replicas "$MIN_REPLICAS" --max-replicas "$MAX_REPLICAS" --cpu 1.0 --memory 2.0Gi \
  --scale-rule-name http --scale-rule-type http --scale-rule-http-concurrency "$HTTP_CONCURRENCY" \
  --secrets "database-url=$DATABASE_URL" "redis-url=$REDIS_URL" "storage=$STORAGE_CS" \
            "appi=$APPI_CS" "firebase-api-key=$FIREBASE_API_KEY" \
  --env-vars VITRINA_ENV=production DATABASE_URL=secretref:database-url REDIS_URL=secretref:redis-url \
             AZURE_STORAGE_CONNECTION_STRING=secretref:storage \
             APPLICATIONINSIGHTS_CONNECTION_STRING=secretref:appi \
             TELEMETRY_SAMPLING_PERCENTAGE="$TELEMETRY_SAMPLING_PERCENTAGE" \
             FIREBASE_PROJECT_ID="$FIREBASE_PROJECT_ID" FIREBASE_API_KEY=secretref:firebase-api-key \
             TRUSTED_PROXY_HOPS=1 \
             THREADS=2 DB_POOL_SIZE="$DB_POOL_SIZE" \
  -o none

step "schema and first load, as one-off runs of the same image"
az containerapp job create -g "$RG" -n "$APP-etl" --environment "$ENV_NAME" \
  --trigger-type Manual --replica-timeout 1800 \
  --image "$ACR.azurecr.io/vitrina:$TAG" --registry-server "$ACR.azurecr.io" \
  --mi-user-assigned "$IDENTITY_ID" --registry-identity "$IDENTITY_ID" \
  --secrets "database-url=$DATABASE_URL" "storage=$STORAGE_CS" \
  --env-vars DATABASE_URL=secretref:database-url AZURE_STORAGE_CONNECTION_STRING=secretref:storage \
  --command /bin/sh --args "-c" "vitrina migrate && vitrina etl run --spec /app/datasets/diamonds.yaml az://datasets/diamonds.csv" \
  -o none
echo "upload the CSV:  az storage blob upload --connection-string \"\$STORAGE_CS\" -c datasets -n diamonds.csv -f diamonds.csv"
echo "then load it:    az containerapp job start -g $RG -n $APP-etl"
FQDN=$(az containerapp show -g "$RG" -n "$APP" --query properties.configuration.ingress.fqdn -o tsv)
echo "API: https://$FQDN  (docs: https://$FQDN/docs)"
