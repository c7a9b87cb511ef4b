#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/exit_codes.hpp"
#include "vitrina/etl/core/adf_pipeline.hpp"

namespace vitrina::cli {
namespace {

struct AdfArguments {
  std::string spec_path = "datasets/diamonds.yaml";
  std::string out_dir = "deploy/adf";
  etl::core::AdfOptions options;
};

int RunAdfExport(const AdfArguments& arguments) {
  auto spec = catalog::LoadSpecFile(arguments.spec_path);
  if (!spec) return Fail(spec.error());
  for (const auto& file : etl::core::BuildAdfResources(*spec, arguments.options)) {
    const auto path = std::filesystem::path(arguments.out_dir) / file.path;
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.content;
    if (error || !out) {
      spdlog::error("cannot write {}", path.string());
      return 1;
    }
    spdlog::info("wrote {}", path.string());
  }
  return 0;
}

}  // namespace

void AddAdfCommand(CLI::App& app, CommandContext& context) {
  auto* adf = app.add_subcommand("adf", "Azure Data Factory resources generated from a spec");
  adf->require_subcommand(1);
  auto* command = adf->add_subcommand(
      "export", "Write linked services, datasets and the load pipeline for a dataset spec");
  auto arguments = std::make_shared<AdfArguments>();
  command->add_option("--spec", arguments->spec_path, "Dataset spec")->capture_default_str();
  command->add_option("--out", arguments->out_dir, "Output folder")->capture_default_str();
  command
      ->add_option("--max-reject-ratio", arguments->options.max_reject_ratio,
                   "Refuse the load when more than this share of rows is rejected")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--container", arguments->options.container, "Blob container")
      ->capture_default_str();
  command->add_option("--blob", arguments->options.blob_name, "Blob name (default <name>.csv)");
  command->callback([&context, arguments] { context.exit_code = RunAdfExport(*arguments); });
}

}  // namespace vitrina::cli
