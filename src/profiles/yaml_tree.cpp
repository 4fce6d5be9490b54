// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "error.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

/// Refuses text that is not a text file: a NUL byte, or bytes that are not well-formed UTF-8
/// (overlong forms, surrogates and code points above U+10FFFF included, which yaml-cpp lets
/// through and JSON output cannot carry). Throws naming the line and column (in characters).
void check_text(std::string_view text, const std::string& origin) {
  size_t bad = invalid_utf8_offset(text);
  const size_t nul = text.find('\0');
  if (nul < bad) bad = nul;
  if (bad == std::string_view::npos) return;
  const size_t newline = bad == 0 ? std::string_view::npos : text.rfind('\n', bad - 1);
  const size_t first = newline == std::string_view::npos ? 0 : newline + 1;
  int column = 1;
  for (size_t at = first; at < bad; ++at)
    if ((static_cast<unsigned char>(text[at]) & 0xc0) != 0x80) ++column;
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[bad]));
  throw ProfileError(origin, line, column,
                     text[bad] == '\0'
                         ? std::string("not a text file: NUL byte")
                         : std::string("not valid UTF-8: byte ") + byte +
                               " (an overlong form, a surrogate, a code point above U+10FFFF "
                               "or a broken sequence)");
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const std::string& origin, int max_depth) : origin_(origin), max_depth_(max_depth) {}

  YamlNode take_root() { return std::move(root_); }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) fail(mark, "only one YAML document is allowed per file");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    check_anchor(mark, anchor);
    add(leaf(mark, YamlNode::Kind::kNull, ""));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(mark, "YAML aliases are not allowed in profiles");
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    check_anchor(mark, anchor);
    add(leaf(mark, YamlNode::Kind::kScalar, value));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, YamlNode::Kind::kSequence);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, YamlNode::Kind::kMap);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlNode node;
    std::set<std::string> keys;
    bool have_key = false;
    YamlNode key;
  };

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& reason) const {
    throw ProfileError(origin_, mark.line + 1, mark.column + 1, reason);
  }
  void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) const {
    if (anchor != YAML::NullAnchor) fail(mark, "YAML anchors are not allowed in profiles");
  }
  static YamlNode leaf(const YAML::Mark& mark, YamlNode::Kind kind, const std::string& value) {
    YamlNode node;
    node.kind = kind;
    node.line = mark.line + 1;
    node.column = mark.column + 1;
    node.scalar = value;
    return node;
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor, YamlNode::Kind kind) {
    check_anchor(mark, anchor);
    if (static_cast<int>(stack_.size()) >= max_depth_)
      fail(mark, "nesting deeper than " + std::to_string(max_depth_) + " levels");
    stack_.push_back(Open{leaf(mark, kind, ""), {}, false, {}});
  }
  void close() {
    YamlNode node = std::move(stack_.back().node);
    stack_.pop_back();
    add(std::move(node));
  }
  void add(YamlNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Open& parent = stack_.back();
    if (parent.node.kind == YamlNode::Kind::kSequence) {
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.have_key) {
      if (node.kind != YamlNode::Kind::kScalar)
        throw ProfileError(origin_, node.line, node.column, "a map key must be a plain string");
      if (!parent.keys.insert(node.scalar).second)
        throw ProfileError(origin_, node.line, node.column, "duplicate key '" + node.scalar + "'");
      parent.key = std::move(node);
      parent.have_key = true;
      return;
    }
    parent.node.entries.emplace_back(std::move(parent.key), std::move(node));
    parent.have_key = false;
  }

  const std::string& origin_;
  int max_depth_;
  int documents_ = 0;
  std::vector<Open> stack_;
  YamlNode root_;
};

}  // namespace

const char* YamlNode::kind_name() const {
  switch (kind) {
    case Kind::kNull:
      return "nothing";
    case Kind::kScalar:
      return "a string";
    case Kind::kSequence:
      return "a list";
    case Kind::kMap:
      return "a map";
  }
  return "?";
}

YamlNode parse_yaml(std::string_view text, const std::string& origin, YamlLimits limits) {
  if (text.size() > limits.max_bytes)
    throw ProfileError(origin, 0, 0,
                       "file is " + std::to_string(text.size()) +
                           " bytes, more than the limit of " + std::to_string(limits.max_bytes));
  check_text(text, origin);
  std::istringstream stream{std::string(text)};
  TreeBuilder builder(origin, limits.max_depth);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& error) {
    throw ProfileError(origin, error.mark.line + 1, error.mark.column + 1, error.msg);
  }
  return builder.take_root();
}

}  // namespace suspendfix
