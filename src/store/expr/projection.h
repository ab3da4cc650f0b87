// Applying a parsed ProjectionExpression to an item, as DynamoDB does: the result keeps only the
// projected paths, in the item's own shape. A projected member keeps its map around it
// ({"a": {"b": 1}} for a.b); projected list elements come back as a list of just those elements
// in index order ([x, z] for a[0] and a[2] of [x, y, z]). A path the item does not have (a missing
// attribute or member, an index past the end, a step into a value of the wrong type) adds
// nothing, and a map or list none of whose projected paths exist is left out entirely.
//
// Usage:
//   Item shown = project(item, projection->paths);
//
// Thread safety: pure function.
#pragma once

#include <vector>

#include "store/expr/ast.h"
#include "store/value.h"

namespace gatehouse::store::expr {

// The projection of `item` on `paths` (no two overlapping: parse_projection refused those).
Item project(const Item& item, const std::vector<Path>& paths);

}  // namespace gatehouse::store::expr
