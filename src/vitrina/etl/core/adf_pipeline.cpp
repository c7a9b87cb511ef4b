#include "vitrina/etl/core/adf_pipeline.hpp"

#include <boost/json.hpp>

#include "vitrina/base/json_pretty.hpp"
#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/catalog_schema.hpp"
#include "vitrina/catalog/core/field_value.hpp"
#include "vitrina/catalog/core/reload_notice.hpp"
#include "vitrina/etl/core/spec_sql.hpp"

namespace vitrina::etl::core {

namespace json = boost::json;

namespace {

constexpr const char* kBlobLinkedService = "VitrinaBlobStorage";
constexpr const char* kPostgresLinkedService = "VitrinaPostgres";
constexpr const char* kKeyVaultLinkedService = "VitrinaKeyVault";

// "diamonds" → "Diamonds": Data Factory resource names read better in PascalCase.
std::string Pascal(const std::string& name) {
  std::string out;
  bool upper = true;
  for (const char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
    upper = false;
  }
  return out;
}

json::object Reference(const char* type, const std::string& name) {
  return {{"referenceName", name}, {"type", type}};
}

json::object ScriptActivity(const std::string& name, const std::string& sql) {
  return {{"name", name},
          {"type", "Script"},
          {"linkedServiceName", Reference("LinkedServiceReference", kPostgresLinkedService)},
          {"typeProperties",
           {{"scripts", json::array{json::object{{"type", "NonQuery"}, {"text", sql}}}}}}};
}

// A secret read from the Key Vault linked service at run time: no password in the factory.
json::object KeyVaultSecret(const char* secret_name) {
  return {{"type", "AzureKeyVaultSecret"},
          {"store", Reference("LinkedServiceReference", kKeyVaultLinkedService)},
          {"secretName", secret_name}};
}

json::object DependsOn(const std::string& activity) {
  return {{"activity", activity}, {"dependencyConditions", json::array{"Succeeded"}}};
}

}  // namespace

std::string AdfStagingTable(const catalog::core::DatasetSpec& spec) {
  return spec.table + "_adf_staging";
}

std::string AdfPrepareSql(const catalog::core::DatasetSpec& spec) {
  const std::string staging = catalog::core::QuoteIdent(AdfStagingTable(spec));
  std::string sql = "DROP TABLE IF EXISTS " + staging + ";\nCREATE TABLE " + staging +
                    " (\n  adf_record bigint GENERATED ALWAYS AS IDENTITY";
  for (const auto& column : spec.columns) {
    sql += ",\n  " + catalog::core::QuoteIdent(column.name) + " text";
  }
  sql += "\n);\n";
  return sql;
}

std::string AdfValidateAndSwapSql(const catalog::core::DatasetSpec& spec,
                                  const AdfOptions& options) {
  const std::string staging = catalog::core::QuoteIdent(AdfStagingTable(spec));
  const std::string live = catalog::core::QuoteIdent(spec.table);
  std::string reasons;
  std::string raw;
  std::string columns;
  std::string converted;
  for (const auto& column : spec.columns) {
    const std::string text = "s." + catalog::core::QuoteIdent(column.name);
    reasons += std::string(reasons.empty() ? "" : ",\n      ") + RejectReasonSql(column, text);
    raw += std::string(raw.empty() ? "" : ", ") + text;
    columns += std::string(columns.empty() ? "" : ", ") + catalog::core::QuoteIdent(column.name);
    converted += std::string(converted.empty() ? "" : ",\n         ") +
                 ConvertSql(column, "c." + catalog::core::QuoteIdent(column.name));
  }
  const std::string ratio = base::FormatNumber(options.max_reject_ratio);
  return "DO $vitrina$\nDECLARE\n  run bigint;\n  total bigint;\n  rejected bigint;\nBEGIN\n"
         "  INSERT INTO etl_runs (dataset, target_table, source) VALUES (" +
         SqlLiteral(spec.name) + ", " + SqlLiteral(spec.table) + ", " +
         SqlLiteral("adf://" + options.container + "/" +
                    (options.blob_name.empty() ? spec.name + ".csv" : options.blob_name)) +
         ") RETURNING id INTO run;\n"
         "  CREATE TEMP TABLE adf_checked ON COMMIT DROP AS\n"
         "    SELECT s.*, COALESCE(\n      " +
         reasons + ") AS reject_reason\n    FROM " + staging + " s;\n" +
         "  SELECT count(*), count(reject_reason) INTO total, rejected FROM adf_checked;\n"
         "  IF total = 0 THEN\n    RAISE EXCEPTION 'the source has no data rows';\n  END IF;\n"
         "  IF rejected > total * " +
         ratio +
         " THEN\n    RAISE EXCEPTION 'rejected % of % rows, above the maximum reject ratio " +
         ratio +
         "', rejected, total;\n  END IF;\n"
         "  -- Data Factory keeps no line numbers: the record number + 1 (the header) stands in.\n"
         "  INSERT INTO etl_rejects (run_id, line_number, raw_record, reason)\n"
         "    SELECT run, s.adf_record + 1, concat_ws(',', " +
         raw + "), s.reject_reason\n    FROM adf_checked s WHERE s.reject_reason IS NOT NULL;\n" +
         "  -- Readers wait on the lock and then see the new catalog, never a mix.\n"
         "  LOCK TABLE " +
         live +
         " IN ACCESS EXCLUSIVE MODE;\n"
         "  TRUNCATE " +
         live +
         " RESTART IDENTITY;\n"
         "  INSERT INTO " +
         live + " (" + columns + ")\n    SELECT " + converted +
         "\n    FROM adf_checked c WHERE c.reject_reason IS NULL ORDER BY c.adf_record;\n"
         "  UPDATE etl_runs SET finished_at = now(), rows_read = total,\n"
         "         rows_loaded = total - rejected, rows_rejected = rejected, status = 'succeeded'\n"
         "    WHERE id = run;\n"
         "  -- The payload names the table (catalog::core::ReloadPayload): other datasets' "
         "servers\n"
         "  -- keep their cached answers.\n"
         "  PERFORM pg_notify(" +
         SqlLiteral(catalog::core::kCatalogReloadedChannel) + ", " + SqlLiteral(spec.table + ":") +
         " || run::text);\n"
         "END\n$vitrina$;\n";
}

std::vector<GeneratedFile> BuildAdfResources(const catalog::core::DatasetSpec& spec,
                                             const AdfOptions& options) {
  const std::string name = Pascal(spec.name);
  const std::string csv_dataset = name + "Csv";
  const std::string staging_dataset = name + "Staging";
  const std::string pipeline_name = "Load" + name;
  const std::string blob = options.blob_name.empty() ? spec.name + ".csv" : options.blob_name;

  // Secrets live in the Key Vault deploy/azure/deploy.sh fills (the same secret names), read by
  // the factory's managed identity, which needs "Key Vault Secrets User" on the vault.
  json::object key_vault_service{
      {"name", kKeyVaultLinkedService},
      {"properties",
       {{"type", "AzureKeyVault"},
        {"description",
         "The Key Vault holding the storage connection string and the "
         "PostgreSQL password (deploy/azure/deploy.sh writes them)."},
        {"typeProperties", {{"baseUrl", "https://<key-vault>.vault.azure.net/"}}}}}};
  json::object blob_service{
      {"name", kBlobLinkedService},
      {"properties",
       {{"type", "AzureBlobStorage"},
        {"description", "The storage account holding the uploaded CSV files."},
        {"typeProperties", {{"connectionString", KeyVaultSecret(kAdfStorageConnectionSecret)}}}}}};
  // Connector version 2.0 (1.0's ODBC connection string is retired): discrete properties, TLS
  // required like the API's own `sslmode=require`, basic authentication with the password from
  // Key Vault.
  json::object postgres_service{
      {"name", kPostgresLinkedService},
      {"properties",
       {{"type", "AzurePostgreSql"},
        {"version", "2.0"},
        {"description", "Azure Database for PostgreSQL holding the catalog."},
        {"typeProperties",
         {{"server", "<server>.postgres.database.azure.com"},
          {"port", 5432},
          {"database", "vitrina"},
          {"username", "<user>"},
          {"password", KeyVaultSecret(kAdfPostgresPasswordSecret)},
          {"sslMode", kAdfPostgresSslModeRequire},
          {"authenticationType", "Basic"}}}}}};

  char delimiter[2] = {spec.delimiter, '\0'};
  json::object csv{
      {"name", csv_dataset},
      {"properties",
       {{"linkedServiceName", Reference("LinkedServiceReference", kBlobLinkedService)},
        {"parameters", {{"container", {{"type", "String"}}}, {"blobName", {{"type", "String"}}}}},
        {"type", "DelimitedText"},
        {"typeProperties",
         {{"location",
           {{"type", "AzureBlobStorageLocation"},
            {"container", {{"value", "@dataset().container"}, {"type", "Expression"}}},
            {"fileName", {{"value", "@dataset().blobName"}, {"type", "Expression"}}}}},
          {"columnDelimiter", delimiter},
          {"quoteChar", "\""},
          {"escapeChar", "\""},
          {"firstRowAsHeader", true},
          {"encodingName", "UTF-8"}}},
        {"schema", json::array{}}}}};
  json::object staging{
      {"name", staging_dataset},
      {"properties",
       {{"linkedServiceName", Reference("LinkedServiceReference", kPostgresLinkedService)},
        {"type", "AzurePostgreSqlTable"},
        {"typeProperties", {{"schema", "public"}, {"table", AdfStagingTable(spec)}}},
        {"schema", json::array{}}}}};

  // The mapping: CSV header → target column, by name, exactly as the spec says; skipped source
  // columns are simply not mapped. Everything lands as text and is typed by the validation step.
  json::array mappings;
  for (const auto& column : spec.columns) {
    mappings.push_back(json::object{{"source", {{"name", column.source}, {"type", "String"}}},
                                    {"sink", {{"name", column.name}, {"type", "String"}}}});
  }
  json::object copy{
      {"name", "CopyCsvToStaging"},
      {"type", "Copy"},
      {"dependsOn", json::array{DependsOn("PrepareStaging")}},
      {"inputs", json::array{json::object{{"referenceName", csv_dataset},
                                          {"type", "DatasetReference"},
                                          {"parameters",
                                           {{"container", "@pipeline().parameters.container"},
                                            {"blobName", "@pipeline().parameters.blobName"}}}}}},
      {"outputs", json::array{Reference("DatasetReference", staging_dataset)}},
      {"typeProperties",
       {{"source",
         {{"type", "DelimitedTextSource"},
          {"storeSettings", {{"type", "AzureBlobStorageReadSettings"}, {"recursive", false}}},
          {"formatSettings", {{"type", "DelimitedTextReadSettings"}}}}},
        {"sink", {{"type", "AzurePostgreSqlSink"}, {"writeMethod", "CopyCommand"}}},
        {"translator", {{"type", "TabularTranslator"}, {"mappings", mappings}}}}}};
  auto validate = ScriptActivity("ValidateAndSwap", AdfValidateAndSwapSql(spec, options));
  validate["dependsOn"] = json::array{DependsOn("CopyCsvToStaging")};
  json::object pipeline{
      {"name", pipeline_name},
      {"properties",
       {{"description", "Loads the '" + spec.name +
                            "' dataset from Blob Storage into PostgreSQL with the rules of its "
                            "Vitrina spec. Generated by `vitrina adf`; do not edit by hand."},
        {"parameters",
         {{"container", {{"type", "String"}, {"defaultValue", options.container}}},
          {"blobName", {{"type", "String"}, {"defaultValue", blob}}}}},
        {"activities",
         json::array{ScriptActivity("PrepareStaging", AdfPrepareSql(spec)), copy, validate}}}}};

  return {
      {"linkedService/" + std::string(kKeyVaultLinkedService) + ".json",
       base::PrettyJson(key_vault_service)},
      {"linkedService/" + std::string(kBlobLinkedService) + ".json",
       base::PrettyJson(blob_service)},
      {"linkedService/" + std::string(kPostgresLinkedService) + ".json",
       base::PrettyJson(postgres_service)},
      {"dataset/" + csv_dataset + ".json", base::PrettyJson(csv)},
      {"dataset/" + staging_dataset + ".json", base::PrettyJson(staging)},
      {"pipeline/" + pipeline_name + ".json", base::PrettyJson(pipeline)},
      {"sql/" + spec.table + "_prepare.sql", AdfPrepareSql(spec)},
      {"sql/" + spec.table + "_validate_and_swap.sql", AdfValidateAndSwapSql(spec, options)},
  };
}

}  // namespace vitrina::etl::core
