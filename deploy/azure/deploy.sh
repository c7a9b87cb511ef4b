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
TAG=${TAG:-$(git rev-parse --short HEAD)}
FIREBASE_PROJECT_ID=${FIREBASE_PROJECT_ID:?set FIREBASE_PROJECT_ID}
FIREBASE_API_KEY=${FIREBASE_API_KEY:?set FIREBASE_API_KEY}

step() { printf '\n== %s\n' "$*"; }

step "resource group $RG"
az group create -n "$RG" -l "$LOCATION" -o none

step "container registry $ACR and image vitrina:$TAG (built in Azure from this folder)"
az acr create -g "$RG" -n "$ACR" --sku Basic --admin-enabled false -o none
az acr build -r "$ACR" -t "vitrina:$TAG" -t vitrina:latest .

step "Azure Database for PostgreSQL flexible server $PG_SERVER"
az postgres flexible-server create -g "$RG" -n "$PG_SERVER" -l "$LOCATION" \
  --tier Burstable --sku-name Standard_B1ms --version 15 --storage-size 32 \
  --admin-user "$PG_ADMIN" --admin-password "$PG_PASSWORD" --public-access 0.0.0.0 -o none
az postgres flexible-server db create -g "$RG" -s "$PG_SERVER" -d vitrina -o none
DATABASE_URL="postgresql://$PG_ADMIN:$PG_PASSWORD@$PG_SERVER.postgres.database.azure.com:5432/vitrina?sslmode=require"

# Debian 12's hiredis (0.14) has no TLS, so the service talks to Redis on the non-TLS port 6379
# with the access key (docs/deploy.md: limitations). Standard/Premium tiers add replication;
# Premium or Enterprise adds clustering, which the cache code supports (REDIS_CLUSTER_NODES).
step "Azure Cache for Redis $REDIS"
az redis create -g "$RG" -n "$REDIS" -l "$LOCATION" --sku Basic --vm-size c0 \
  --enable-non-ssl-port -o none
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
  --registry-identity system --ingress external --target-port 8080 \
  --min-replicas 1 --max-replicas 5 --cpu 1.0 --memory 2.0Gi \
  --scale-rule-name http --scale-rule-type http --scale-rule-http-concurrency 100 \
  --secrets "database-url=$DATABASE_URL" "redis-url=$REDIS_URL" "storage=$STORAGE_CS" \
            "appi=$APPI_CS" "firebase-api-key=$FIREBASE_API_KEY" \
  --env-vars VITRINA_ENV=production DATABASE_URL=secretref:database-url REDIS_URL=secretref:redis-url \
             AZURE_STORAGE_CONNECTION_STRING=secretref:storage \
             APPLICATIONINSIGHTS_CONNECTION_STRING=secretref:appi \
             FIREBASE_PROJECT_ID="$FIREBASE_PROJECT_ID" FIREBASE_API_KEY=secretref:firebase-api-key \
             TRUSTED_PROXY_HOPS=1 \
  -o none

step "schema and first load, as one-off runs of the same image"
az containerapp job create -g "$RG" -n "$APP-etl" --environment "$ENV_NAME" \
  --trigger-type Manual --replica-timeout 1800 \
  --image "$ACR.azurecr.io/vitrina:$TAG" --registry-server "$ACR.azurecr.io" --registry-identity system \
  --secrets "database-url=$DATABASE_URL" "storage=$STORAGE_CS" \
  --env-vars DATABASE_URL=secretref:database-url AZURE_STORAGE_CONNECTION_STRING=secretref:storage \
  --command /bin/sh --args "-c" "vitrina migrate && vitrina etl run --spec /app/datasets/diamonds.yaml az://datasets/diamonds.csv" \
  -o none
echo "upload the CSV:  az storage blob upload --connection-string \"\$STORAGE_CS\" -c datasets -n diamonds.csv -f diamonds.csv"
echo "then load it:    az containerapp job start -g $RG -n $APP-etl"
FQDN=$(az containerapp show -g "$RG" -n "$APP" --query properties.configuration.ingress.fqdn -o tsv)
echo "API: https://$FQDN  (docs: https://$FQDN/docs)"
