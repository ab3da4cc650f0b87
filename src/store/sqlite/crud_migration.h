// Moving a crud table's items out of the file an earlier gatehouse kept them in (one SQLite file
// per table, with the columns key, owner, created, updated and attributes) into the table of the
// embedded DynamoDB engine that now holds them. The old file is renamed to <file>.migrated once
// every item is in the engine (durably), so the next start does not read it again; an item whose
// key the engine already holds is kept as the engine has it, so an interrupted move can be
// started over.
//
// Thread safety: one call at a time per file, at start-up.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "store/table.h"

namespace gatehouse::store::sqlite {

struct MigrationReport {
  bool found = false;  // the old file existed
  uint64_t moved = 0;  // items written into the engine
  uint64_t kept = 0;   // items the engine already had
};

// Moves the items of table `old_table` in the file at `path`, if that file exists, into `into`.
// Errors name the file: not a gatehouse crud file, unreadable, a write refused by the engine.
core::Result<MigrationReport> migrate_crud_file(const std::string& path,
                                                const std::string& old_table, Table& into);

}  // namespace gatehouse::store::sqlite
