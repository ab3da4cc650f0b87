#include "router/router.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "core/text.h"

namespace gatehouse::router {
namespace {

constexpr std::string_view kMethodNames[] = {"GET",    "POST", "PUT",     "PATCH",
                                             "DELETE", "HEAD", "OPTIONS", "ANY"};
constexpr int kAnySlot = 7;
constexpr std::string_view kMethodList = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY";

// Slot of a request method; -1 for anything else, including "ANY" (not an HTTP method).
int request_method_slot(std::string_view m) {
  switch (m.size()) {
    case 3:
      if (m == "GET") return 0;
      if (m == "PUT") return 2;
      return -1;
    case 4:
      if (m == "POST") return 1;
      if (m == "HEAD") return 5;
      return -1;
    case 5:
      return m == "PATCH" ? 3 : -1;
    case 6:
      return m == "DELETE" ? 4 : -1;
    case 7:
      return m == "OPTIONS" ? 6 : -1;
    default:
      return -1;
  }
}

// Slot of a method named in a route spec ("ANY" allowed); -1 if unknown.
int spec_method_slot(std::string_view m) {
  return m == "ANY" ? kAnySlot : request_method_slot(m);
}

// RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ':' and '@'.
bool is_template_literal_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':  // unreserved
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':  // sub-delims
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
      return true;
    default:
      return false;
  }
}

bool is_param_name(std::string_view name) {
  if (name.empty()) return false;
  char first = name[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A '.' or '..' segment, also when its dots are percent-encoded. Requires: valid escapes.
bool is_dot_segment(std::string_view seg) {
  if (seg.size() > 6) return false;  // "%2e%2e" is the longest spelling
  if (seg.find('%') == std::string_view::npos) return seg == "." || seg == "..";
  return core::compare_percent_decoded(seg, ".") == 0 ||
         core::compare_percent_decoded(seg, "..") == 0;
}

enum class SegKind { kLiteral, kParam, kGreedy };
struct Segment {
  SegKind kind;
  std::string_view text;  // literal text, or the parameter name
};

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

// Splits a template into segments, or returns what is wrong with it.
core::Result<std::vector<Segment>, std::string> parse_template(std::string_view t) {
  using Err = core::Result<std::vector<Segment>, std::string>;
  const std::string where = "path " + quoted(t);
  if (t.empty()) return Err(std::string("path is empty; expected e.g. '/resource/{id}'"));
  if (t[0] != '/') return Err(where + " does not start with '/'; expected e.g. '/resource/{id}'");
  std::vector<Segment> segs;
  if (t.size() == 1) return segs;  // the root
  if (t.back() == '/') {
    return Err(where + " ends with '/'; remove it (requests with a trailing slash match anyway)");
  }
  size_t count = static_cast<size_t>(std::count(t.begin(), t.end(), '/'));
  size_t params = 0;
  size_t start = 1;
  for (size_t n = 1; n <= count; ++n) {
    size_t end = t.find('/', start);
    if (end == std::string_view::npos) end = t.size();
    std::string_view seg = t.substr(start, end - start);
    start = end + 1;
    const std::string at = " in segment " + std::to_string(n) + " (" + quoted(seg) + ")";
    if (seg.empty()) {
      return Err(where + " has an empty segment (segment " + std::to_string(n) +
                 "); remove the extra '/'");
    }
    size_t opens = static_cast<size_t>(std::count(seg.begin(), seg.end(), '{'));
    size_t closes = static_cast<size_t>(std::count(seg.begin(), seg.end(), '}'));
    if (opens == 0 && closes == 0) {
      for (char c : seg) {
        if (!is_template_literal_char(c)) {
          std::string what = c == '%' ? "percent-encoding" : "character " + quoted({&c, 1});
          return Err(
              where + " has " + what + at +
              "; literal segments use letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @");
        }
      }
      if (seg == "." || seg == "..") {
        return Err(where + " has a dot segment" + at + "; '.' and '..' are not allowed");
      }
      segs.push_back({SegKind::kLiteral, seg});
      continue;
    }
    if (opens != closes) {
      return Err(where + " has unbalanced braces" + at + "; expected '{name}' or '{name+}'");
    }
    if (opens > 1) {
      return Err(where + " has more than one parameter" + at +
                 "; expected one '{name}' or '{name+}' per segment");
    }
    if (seg.front() != '{' || seg.back() != '}') {
      return Err(where + " mixes a parameter with literal text" + at +
                 "; a parameter must be the whole segment, '{name}' or '{name+}'");
    }
    std::string_view name = seg.substr(1, seg.size() - 2);
    bool greedy = !name.empty() && name.back() == '+';
    if (greedy) name.remove_suffix(1);
    if (!is_param_name(name)) {
      return Err(where + " has an invalid parameter name" + at +
                 "; expected a letter or '_' followed by letters, digits, '_' or '-'");
    }
    if (greedy && n != count) {
      return Err(where + " has the greedy parameter " + quoted(seg) + " in segment " +
                 std::to_string(n) + " of " + std::to_string(count) +
                 "; a greedy parameter must be the last segment");
    }
    for (const Segment& s : segs) {
      if (s.kind != SegKind::kLiteral && s.text == name) {
        return Err(where + " uses the parameter name " + quoted(name) +
                   " twice; each parameter needs its own name");
      }
    }
    if (++params > kMaxPathParams) {
      return Err(where + " has more than " + std::to_string(kMaxPathParams) +
                 " parameters; that is the limit");
    }
    segs.push_back({greedy ? SegKind::kGreedy : SegKind::kParam, name});
  }
  return segs;
}

}  // namespace

core::Status CompileError::to_status() const {
  return core::invalid_argument("route " + std::to_string(route_index) + ": " + message);
}

std::string_view to_string(MatchError e) {
  switch (e) {
    case MatchError::kNoRoute:
      return "no_route";
    case MatchError::kMethodNotAllowed:
      return "no_route_for_method";
    case MatchError::kBadPath:
      return "bad_path";
  }
  return "unknown";
}

const PathParam* PathParams::find(std::string_view name) const {
  for (const PathParam& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Builds a RouteTable route by route, keeping what error messages need on the side.
class TableBuilder {
 public:
  core::Result<RouteTable, CompileError> build(std::span<const RouteSpec> routes) {
    table_.nodes_.emplace_back();  // root
    info_.emplace_back();
    for (const RouteSpec& spec : routes) {
      if (auto err = add(spec)) return std::move(*err);
    }
    return std::move(table_);
  }

 private:
  // What compile errors need to name the route that made a node.
  struct NodeInfo {
    size_t route_index = 0;
    std::string path_template;
  };

  std::optional<CompileError> add(const RouteSpec& spec) {
    auto fail = [&](std::string message, std::optional<size_t> other = std::nullopt) {
      return std::optional<CompileError>(CompileError{spec.route_index, other, std::move(message)});
    };
    auto segs = parse_template(spec.path_template);
    if (!segs) return fail(segs.error());

    // Methods: known, no repeats, ANY alone.
    const std::string where = "path " + quoted(spec.path_template);
    if (spec.methods.empty()) {
      return fail(where + " has no methods; expected at least one of " + std::string(kMethodList));
    }
    bool slots[RouteTable::kMethodSlots] = {};
    for (const std::string& m : spec.methods) {
      int slot = spec_method_slot(m);
      if (slot < 0) {
        return fail("unknown method " + quoted(m) + " for " + where + "; expected one of " +
                    std::string(kMethodList));
      }
      if (slots[slot]) return fail("method " + quoted(m) + " is listed twice for " + where);
      slots[slot] = true;
    }
    if (slots[kAnySlot] && spec.methods.size() > 1) {
      return fail("ANY already covers every method; list either ANY or specific methods for " +
                  where);
    }

    // Walk or extend the trie.
    uint32_t node = 0;
    for (const Segment& seg : *segs) {
      if (seg.kind == SegKind::kLiteral) {
        node = literal_child(node, seg.text, spec);
        continue;
      }
      bool greedy = seg.kind == SegKind::kGreedy;
      uint32_t var = table_.nodes_[node].var_child;
      if (var == RouteTable::kNone) {
        var = new_node(spec);
        table_.nodes_[var].var_name = std::string(seg.text);
        table_.nodes_[var].greedy = greedy;
        table_.nodes_[node].var_child = var;
      } else {
        const RouteTable::Node& existing = table_.nodes_[var];
        if (existing.var_name != seg.text || existing.greedy != greedy) {
          const NodeInfo& other = info_[var];
          std::string mine = "{" + std::string(seg.text) + (greedy ? "+}" : "}");
          std::string theirs = "{" + existing.var_name + (existing.greedy ? "+}" : "}");
          return fail(where + " has " + quoted(mine) + " where route " +
                          std::to_string(other.route_index) + " (" + quoted(other.path_template) +
                          ") has " + quoted(theirs) +
                          " at the same position; API Gateway allows one variable segment per "
                          "parent path, so use " +
                          quoted(theirs) + " in both",
                      other.route_index);
        }
      }
      node = var;
    }

    // Register the methods on the final node.
    RouteTable::Node& end = table_.nodes_[node];
    for (size_t slot = 0; slot < RouteTable::kMethodSlots; ++slot) {
      if (!slots[slot]) continue;
      uint32_t existing = end.route_for_method[slot];
      if (existing != RouteTable::kNone) {
        size_t other = table_.route_indexes_[existing];
        return fail(std::string(kMethodNames[slot]) + " " + spec.path_template +
                        " is already defined by route " + std::to_string(other) +
                        "; each method and path may appear once",
                    other);
      }
    }
    uint32_t id = static_cast<uint32_t>(table_.route_indexes_.size());
    table_.route_indexes_.push_back(spec.route_index);
    for (size_t slot = 0; slot < RouteTable::kMethodSlots; ++slot) {
      if (!slots[slot]) continue;
      end.route_for_method[slot] = id;
      end.has_methods = true;
      ++table_.method_entries_;
    }
    return std::nullopt;
  }

  uint32_t new_node(const RouteSpec& spec) {
    uint32_t id = static_cast<uint32_t>(table_.nodes_.size());
    table_.nodes_.emplace_back();
    info_.push_back({spec.route_index, spec.path_template});
    return id;
  }

  uint32_t literal_child(uint32_t parent, std::string_view text, const RouteSpec& spec) {
    auto& lits = table_.nodes_[parent].literals;
    auto it = std::lower_bound(lits.begin(), lits.end(), text,
                               [](const RouteTable::Literal& l, std::string_view t) {
                                 return std::string_view(l.text) < t;
                               });
    if (it != lits.end() && it->text == text) return it->child;
    size_t pos = static_cast<size_t>(it - lits.begin());
    uint32_t child = new_node(spec);  // may reallocate nodes_: re-fetch the vector below
    auto& lits2 = table_.nodes_[parent].literals;
    lits2.insert(lits2.begin() + static_cast<std::ptrdiff_t>(pos),
                 RouteTable::Literal{std::string(text), child});
    return child;
  }

  RouteTable table_;
  std::vector<NodeInfo> info_;  // parallel to table_.nodes_
};

core::Result<RouteTable, CompileError> compile(std::span<const RouteSpec> routes) {
  return TableBuilder().build(routes);
}

// One match: validates the path, then walks the trie depth-first in precedence order (literal,
// then `{param}`, then `{param+}`), backtracking when a resource has no method for the request.
class Matcher {
 public:
  Matcher(const RouteTable& table, std::string_view method) : table_(table) {
    slot_ = request_method_slot(method);
  }

  core::Result<Match, MatchError> run(std::string_view raw_path) {
    if (!check_path(raw_path)) return MatchError::kBadPath;
    if (!visit(0, 1)) {
      return method_seen_ ? MatchError::kMethodNotAllowed : MatchError::kNoRoute;
    }
    Match m;
    m.route_index = table_.route_indexes_[found_];
    for (size_t i = 0; i < ncaptures_; ++i) {
      const Capture& c = captures_[i];
      PathParam& p = m.params.params_.emplace_back();
      p.name = *c.name;
      p.raw = path_.substr(c.begin, c.end - c.begin);
      if (has_percent_ && p.raw.find('%') != std::string_view::npos) {
        p.value.reserve(p.raw.size());
        core::append_percent_decoded(p.raw, p.value);
      } else {
        p.value.assign(p.raw);
      }
    }
    return m;
  }

 private:
  using Node = RouteTable::Node;
  struct Capture {
    const std::string* name;
    size_t begin;
    size_t end;
  };

  // Validates raw (see match() in router.h) and sets path_ to it without the ignored trailing
  // slash.
  bool check_path(std::string_view raw) {
    if (raw.empty() || raw[0] != '/') return false;
    size_t n = raw.size();
    if (n >= 2 && raw[n - 1] == '/' && raw[n - 2] != '/') --n;  // one trailing slash is ignored
    path_ = raw.substr(0, n);
    if (n == 1) return true;  // the root
    size_t seg_start = 1;
    for (size_t i = 1; i <= n; ++i) {
      if (i == n || raw[i] == '/') {
        std::string_view seg = raw.substr(seg_start, i - seg_start);
        if (seg.empty() || (seg.size() <= 6 && is_dot_segment(seg))) return false;
        seg_start = i + 1;
        continue;
      }
      unsigned char c = static_cast<unsigned char>(raw[i]);
      if (c < 0x20 || c == 0x7f) return false;
      if (c == '%') {
        if (i + 2 >= n) return false;
        int hi = core::hex_digit_value(raw[i + 1]);
        int lo = core::hex_digit_value(raw[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
        has_percent_ = true;
        i += 2;
      }
    }
    return true;
  }

  // True when the rest of the path from pos, starting at node n, reaches a route with a method for
  // this request; fills found_ and captures_.
  bool visit(uint32_t n, size_t pos) {
    const Node& node = table_.nodes_[n];
    if (pos >= path_.size()) return accept(node);
    size_t end = path_.find('/', pos);
    if (end == std::string_view::npos) end = path_.size();
    std::string_view seg = path_.substr(pos, end - pos);
    size_t next = end == path_.size() ? end : end + 1;

    if (!node.literals.empty()) {
      uint32_t child = find_literal(node, seg);
      if (child != RouteTable::kNone && visit(child, next)) return true;
    }
    if (node.var_child != RouteTable::kNone) {
      const Node& var = table_.nodes_[node.var_child];
      GH_ASSERT(ncaptures_ < kMaxPathParams);
      captures_[ncaptures_++] = {&var.var_name, pos, var.greedy ? path_.size() : end};
      if (var.greedy ? accept(var) : visit(node.var_child, next)) return true;
      --ncaptures_;
    }
    return false;
  }

  // The request's route on this resource: its verb, else ANY.
  bool accept(const Node& node) {
    if (!node.has_methods) return false;
    uint32_t r = RouteTable::kNone;
    if (slot_ >= 0) {
      r = node.route_for_method[slot_];
      if (r == RouteTable::kNone) r = node.route_for_method[kAnySlot];
    }
    if (r == RouteTable::kNone) {
      method_seen_ = true;
      return false;
    }
    found_ = r;
    return true;
  }

  uint32_t find_literal(const Node& node, std::string_view seg) const {
    const auto& lits = node.literals;
    if (!has_percent_ || seg.find('%') == std::string_view::npos) {
      auto it = std::lower_bound(lits.begin(), lits.end(), seg,
                                 [](const RouteTable::Literal& l, std::string_view s) {
                                   return std::string_view(l.text) < s;
                                 });
      return it != lits.end() && it->text == seg ? it->child : RouteTable::kNone;
    }
    auto it = std::lower_bound(lits.begin(), lits.end(), seg,
                               [](const RouteTable::Literal& l, std::string_view s) {
                                 return core::compare_percent_decoded(s, l.text) > 0;
                               });
    return it != lits.end() && core::compare_percent_decoded(seg, it->text) == 0
               ? it->child
               : RouteTable::kNone;
  }

  const RouteTable& table_;
  int slot_ = -1;
  std::string_view path_;  // raw path without the ignored trailing slash
  bool has_percent_ = false;
  bool method_seen_ = false;
  uint32_t found_ = RouteTable::kNone;
  Capture captures_[kMaxPathParams];
  size_t ncaptures_ = 0;
};

core::Result<Match, MatchError> match(const RouteTable& table, std::string_view method,
                                      std::string_view raw_path) {
  return Matcher(table, method).run(raw_path);
}

}  // namespace gatehouse::router
