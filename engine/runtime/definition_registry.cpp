#include "engine/runtime/definition_registry.h"

#include <openssl/evp.h>

#include <cstdio>

namespace ledgerflow::rt {

std::string content_hash(const def::Definition& d) {
  std::string text = d.canonical.dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

Result<Deployment> DefinitionRegistry::deploy(const std::string& source, def::Format format,
                                              const std::string& user, std::int64_t now_us) {
  def::LoadOptions options;
  options.format = format;
  auto loaded = def::load_definition(source, options);
  Deployment out;
  if (!loaded.ok()) {
    out.problems = std::move(loaded.problems);
    return out;
  }
  const auto& d = *loaded.definition;
  if (auto problems = check(d); !problems.empty()) {
    out.problems = std::move(problems);
    return out;
  }
  std::string hash = content_hash(d);
  std::lock_guard lock(deploy_mu_);
  auto existing = store_.definition_by_hash(d.name, hash);
  auto latest = store_.definition(d.name, 0);
  if (!latest && latest.error().code != ErrorCode::not_found) return latest.error();
  // Identical to the current version: nothing to do. Identical to an older version only
  // (a rollback after a bad deploy): that content becomes current as a new version, so
  // what runs is always what was deployed last and the history shows the rollback.
  if (existing && latest && existing->hash == latest->hash) {
    out.name = d.name;
    out.version = latest->version;
    out.created = false;
    auto cached = get(d.name, latest->version);
    if (!cached) return cached.error();
    out.definition = *cached;
    return out;
  }
  if (!existing && existing.error().code != ErrorCode::not_found) return existing.error();
  const int version = latest ? latest->version + 1 : 1;
  WriteSet ws;
  ws.definitions.push_back(DefinitionRecord{
      d.name, version, hash, format == def::Format::json ? "json" : "yaml", source, now_us, user});
  if (auto r = store_.submit_sync(std::move(ws)); !r) return r.error();
  {
    std::lock_guard cache_lock(mu_);
    cache_[{d.name, version}] = loaded.definition;
  }
  out.name = d.name;
  out.version = version;
  out.created = true;
  out.definition = loaded.definition;
  return out;
}

Result<std::shared_ptr<const def::Definition>> DefinitionRegistry::get(const std::string& name,
                                                                       int version) {
  if (version == 0) {
    auto latest = latest_version(name);
    if (!latest) return latest.error();
    version = *latest;
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find({name, version}); it != cache_.end()) return it->second;
  }
  auto rec = store_.definition(name, version);
  if (!rec) return rec.error();
  def::LoadOptions options;
  options.format = rec->format == "json" ? def::Format::json : def::Format::yaml;
  auto loaded = def::load_definition(rec->source, options);
  if (!loaded.ok()) {
    return Error{ErrorCode::corruption,
                 "stored definition " + name + " version " + std::to_string(version) +
                     " no longer validates: " + loaded.problems.front().message};
  }
  std::lock_guard lock(mu_);
  cache_[{name, version}] = loaded.definition;
  return loaded.definition;
}

Result<int> DefinitionRegistry::latest_version(const std::string& name) {
  auto rec = store_.definition(name, 0);
  if (!rec) {
    if (rec.error().code == ErrorCode::not_found) {
      return Error{ErrorCode::not_found, "workflow '" + name + "' is not deployed"};
    }
    return rec.error();
  }
  return rec->version;
}

}  // namespace ledgerflow::rt
