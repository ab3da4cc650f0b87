// How the embedded engine keeps its tables' definitions: a table definition as JSON text (the
// `definition` column of the catalog table), and back. The format is the store's own and
// versioned by the file's schema version; it is not DynamoDB's wire shape.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/schema.h"

namespace gatehouse::store::sqlite {

std::string definition_to_json(const TableDefinition& table);
// kInvalidArgument naming what is wrong when the text is not one definition_to_json wrote.
core::Result<TableDefinition> definition_from_json(std::string_view json);

}  // namespace gatehouse::store::sqlite
