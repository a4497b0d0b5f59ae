#include "cli/ArgParser.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace ddpm::cli {

namespace {

ArgParser::Spec optionSpec(const std::string& verb, const OptionUse& use) {
    const OptionSpec* o = findOption(use.key);
    if (!o) throw std::logic_error("ddpm " + verb + ": option '" + use.key + "' is not in the option table");
    ArgParser::Spec s;
    s.name = o->name;
    s.shortName = o->shortName;
    s.valueName = o->valueName;
    s.help = use.help ? use.help : o->help;
    s.defaultValue = use.defaultValue ? use.defaultValue : o->defaultValue;
    s.details = use.details ? use.details : o->details;
    s.kind = o->kind;
    s.choices = o->choices;
    return s;
}

}  // namespace

ArgParser::ArgParser(const std::string& verb) {
    const VerbSpec* v = findVerb(verb);
    if (!v) throw std::logic_error("ddpm " + verb + ": not a verb of the option table");
    usage_ = v->usage;
    description_ = v->description;
    specs_.push_back(optionSpec(verb, {"help"}));
    for (const auto& p : v->positionals) {
        Spec s;
        s.name = p.name;
        s.help = p.help;
        s.isPositional = true;
        s.isRequired = p.required;
        specs_.push_back(s);
    }
    for (const auto& use : v->options) {
        Spec s = optionSpec(verb, use);
        if (find(s.name) || (!s.shortName.empty() && findShort(s.shortName)))
            throw std::logic_error("ddpm " + verb + ": option '" + s.name + "' is listed twice");
        specs_.push_back(s);
    }
}

void ArgParser::setDefault(const std::string& name, const std::string& value) {
    for (auto& s : specs_)
        if (!s.isPositional && s.name == name) {
            s.defaultValue = value;
            return;
        }
    throw std::logic_error("setDefault: ddpm has no option '--" + name + "' here");
}

bool ArgParser::accepts(const std::string& name) const { return find(name) != nullptr; }

const ArgParser::Spec* ArgParser::find(const std::string& name) const {
    for (const auto& s : specs_)
        if (!s.isPositional && s.name == name) return &s;
    return nullptr;
}

const ArgParser::Spec* ArgParser::findShort(const std::string& shortName) const {
    for (const auto& s : specs_)
        if (!s.shortName.empty() && s.shortName == shortName) return &s;
    return nullptr;
}

void ArgParser::parse(const std::vector<std::string>& args) {
    std::vector<std::string> positionals;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
            positionals.push_back(arg);
            continue;
        }
        std::string name = arg, value;
        bool inlineValue = false;
        const Spec* spec = nullptr;
        if (arg.rfind("--", 0) == 0) {
            name = arg.substr(2);
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                inlineValue = true;
            }
            spec = find(name);
        } else {
            spec = findShort(arg.substr(1));
        }
        if (!spec) throw UsageError("unknown option '" + arg + "'");
        if (spec->name == "help") throw HelpRequested{helpText()};
        if (spec->isFlag()) {
            if (inlineValue) throw UsageError("option '--" + spec->name + "' takes no value");
            values_[spec->name] = "1";
            continue;
        }
        if (!inlineValue) {
            if (i + 1 >= args.size()) throw UsageError("option '--" + spec->name + "' needs a value");
            value = args[++i];
        }
        values_[spec->name] = value;
    }
    size_t p = 0;
    for (const auto& s : specs_) {
        if (!s.isPositional) continue;
        if (p >= positionals.size()) {
            if (s.isRequired) throw UsageError("missing " + s.name);
            continue;
        }
        values_[s.name] = positionals[p++];
    }
    if (p < positionals.size()) throw UsageError("unexpected argument '" + positionals[p] + "'");
}

bool ArgParser::has(const std::string& name) const { return values_.count(name) > 0; }

std::string ArgParser::get(const std::string& name) const {
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    const Spec* s = find(name);
    return s ? s->defaultValue : std::string();
}

long long ArgParser::getInt64(const std::string& name, long long min, long long max) const {
    const std::string text = get(name);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE)
        throw UsageError("--" + name + " expects a whole number, got '" + text + "'");
    if (v < min || v > max)
        throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                         ", got " + text);
    return v;
}

int ArgParser::getInt(const std::string& name, int min, int max) const { return int(getInt64(name, min, max)); }

double ArgParser::getDouble(const std::string& name, double min, double max) const {
    const std::string text = get(name);
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v >= min && v <= max)) {
        std::ostringstream range;
        range << min << " to " << max;
        throw UsageError("--" + name + " expects a number from " + range.str() + ", got '" + text + "'");
    }
    return v;
}

std::string ArgParser::getChoice(const std::string& name) const {
    const Spec* s = find(name);
    if (!s || s->choices.empty()) throw std::logic_error("getChoice: the option table lists no choices for '--" + name + "'");
    const std::string v = get(name);
    std::string list;
    for (const auto& c : s->choices) {
        if (c == v) return v;
        list += (list.empty() ? "" : ", ") + c;
    }
    throw UsageError("--" + name + " must be one of " + list + ", got '" + v + "'");
}

std::string ArgParser::helpText() const {
    std::ostringstream out;
    out << "usage: " << usage_ << "\n\n" << description_ << "\n";
    bool anyPositional = false;
    for (const auto& s : specs_)
        if (s.isPositional) {
            if (!anyPositional) out << "\narguments:\n";
            anyPositional = true;
            out << "  " << s.name << std::string(s.name.size() < 22 ? 22 - s.name.size() : 1, ' ') << s.help << "\n";
        }
    out << "\noptions:\n";
    for (const auto& s : specs_) {
        if (s.isPositional) continue;
        std::string left = (s.shortName.empty() ? "    " : "-" + s.shortName + ", ") + "--" + s.name;
        if (!s.isFlag()) left += " " + s.valueName;
        out << "  " << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << s.help;
        if (!s.defaultValue.empty()) out << " (default " << s.defaultValue << ")";
        out << "\n";
    }
    return out.str();
}

}  // namespace ddpm::cli
