// The ampersona persona schemas (v1.0 and v0.2) as a table of SchemaNode.
//
// amp cannot read the published schema files at run time, so their facts are
// written here, one node per schema definition, in the same order as the
// files define them. Differences from the published v1.0 schema, each one
// deliberate and listed in docs/CHECK.md:
//   - a gate requires neither `criteria` nor `criteria_logic` here, because
//     check_gates requires exactly one of the two (E020, E021);
//   - `criteria_logic` (`{"all": [...]}` or `{"any": [...]}`) is a gate member;
//   - `on_pass.authority_overlay` is checked as an authority section whose
//     members are all optional, where the published schema accepts any object.
// v0.2 additionally accepts `signature` and `$schema`, which signed v0.2
// documents carry although the v0.2 schema predates signing.

#include <algorithm>
#include <array>
#include <utility>

#include "check_internal.hpp"

// Each node names only the keywords it uses and leaves the other fields at
// their defaults on purpose; GCC 12 warns about that even for designated
// initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace amp::persona::detail {
namespace {

// Members refer to nodes declared above them, so the model is built in
// declaration order and must never be copied or moved.
struct SchemaModel {
    SchemaModel() = default;
    SchemaModel(const SchemaModel&) = delete;
    SchemaModel& operator=(const SchemaModel&) = delete;

    // --- shared leaves -----------------------------------------------------
    SchemaNode any_value{};
    SchemaNode any_object{.types = json_object};
    SchemaNode boolean{.types = json_boolean};
    SchemaNode integer{.types = json_integer};
    SchemaNode positive_integer{.types = json_integer, .minimum = 1.0};
    SchemaNode non_negative_integer{.types = json_integer, .minimum = 0.0};
    SchemaNode text{.types = json_string};
    SchemaNode non_empty_text{.types = json_string, .min_length = 1};
    SchemaNode text_list{.types = json_array, .items = &text};
    SchemaNode non_empty_text_list{.types = json_array, .items = &non_empty_text};
    SchemaNode non_empty_text_list_min1{
        .types = json_array, .min_items = 1, .items = &non_empty_text};
    SchemaNode unit_float{.types = json_number, .minimum = 0.0, .maximum = 1.0};

    // --- Psychology ----------------------------------------------------------
    SchemaNode neural_matrix{
        .noun = "neural_matrix",
        .types = json_object,
        .required = {"creativity", "empathy", "logic", "adaptability", "charisma", "reliability"},
        .properties = {{"creativity", &unit_float},
                       {"empathy", &unit_float},
                       {"logic", &unit_float},
                       {"adaptability", &unit_float},
                       {"charisma", &unit_float},
                       {"reliability", &unit_float}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode ocean{
        .noun = "ocean",
        .types = json_object,
        .required = {"openness", "conscientiousness", "extraversion", "agreeableness",
                     "neuroticism"},
        .properties = {{"openness", &unit_float},
                       {"conscientiousness", &unit_float},
                       {"extraversion", &unit_float},
                       {"agreeableness", &unit_float},
                       {"neuroticism", &unit_float}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode mbti{
        .types = json_string,
        .allowed_values = {"ISTJ", "ISFJ", "INFJ", "INTJ", "ISTP", "ISFP", "INFP", "INTP",
                           "ESTP", "ESFP", "ENFP", "ENTP", "ESTJ", "ESFJ", "ENFJ", "ENTJ"}};
    SchemaNode traits{
        .noun = "traits",
        .types = json_object,
        .required = {"ocean", "mbti"},
        .properties = {{"ocean", &ocean}, {"mbti", &mbti}, {"temperament", &text}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode alignment{
        .types = json_string,
        .allowed_values = {"lawful-good", "neutral-good", "chaotic-good", "lawful-neutral",
                           "true-neutral", "chaotic-neutral", "lawful-evil", "neutral-evil",
                           "chaotic-evil"}};
    SchemaNode moral_compass{
        .noun = "moral_compass",
        .types = json_object,
        .properties = {{"alignment", &alignment}, {"core_values", &non_empty_text_list_min1}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode emotional_profile{
        .noun = "emotional_profile",
        .types = json_object,
        .properties = {{"base_mood", &non_empty_text}, {"volatility", &unit_float}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode psychology{
        .noun = "psychology",
        .types = json_object,
        .required = {"neural_matrix", "traits"},
        .properties = {{"neural_matrix", &neural_matrix},
                       {"traits", &traits},
                       {"moral_compass", &moral_compass},
                       {"emotional_profile", &emotional_profile}},
        .extra_members = ExtraMembers::forbidden};

    // --- Voice ---------------------------------------------------------------
    SchemaNode style{
        .noun = "style",
        .types = json_object,
        .required = {"descriptors", "formality", "verbosity"},
        .properties = {{"descriptors", &non_empty_text_list_min1},
                       {"formality", &unit_float},
                       {"verbosity", &unit_float}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode syntax{
        .noun = "syntax",
        .types = json_object,
        .properties = {{"structure", &text}, {"contractions", &boolean}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode idiolect{
        .noun = "idiolect",
        .types = json_object,
        .properties = {{"catchphrases", &text_list}, {"forbidden_words", &text_list}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode tts{
        .noun = "tts",
        .types = json_object,
        .required = {"provider", "voice_id"},
        .properties = {{"provider", &non_empty_text},
                       {"voice_id", &non_empty_text},
                       {"stability", &unit_float},
                       {"similarity_boost", &unit_float},
                       {"speed", &unit_float}},
        .extra_members = ExtraMembers::allowed};
    SchemaNode voice{
        .noun = "voice",
        .types = json_object,
        .required = {"style"},
        .properties = {{"style", &style}, {"syntax", &syntax}, {"idiolect", &idiolect},
                       {"tts", &tts}},
        .extra_members = ExtraMembers::forbidden};

    // --- Capabilities and directives -----------------------------------------
    SchemaNode skill_priority{.types = json_integer, .minimum = 1.0, .maximum = 10.0};
    SchemaNode skill{
        .noun = "skill",
        .types = json_object,
        .required = {"name", "description"},
        .properties = {{"name", &non_empty_text},
                       {"description", &text},
                       {"priority", &skill_priority}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode skills{.types = json_array, .items = &skill};
    SchemaNode capabilities{
        .noun = "capabilities",
        .types = json_object,
        .properties = {{"skills", &skills}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode directives{
        .noun = "directives",
        .types = json_object,
        .properties = {{"core_drive", &non_empty_text},
                       {"goals", &non_empty_text_list},
                       {"constraints", &non_empty_text_list}},
        .extra_members = ExtraMembers::forbidden};

    // --- Authority -----------------------------------------------------------
    SchemaNode autonomy{.types = json_string,
                        .allowed_values = {"readonly", "supervised", "full"}};
    SchemaNode scope{
        .noun = "scope",
        .types = json_object,
        .properties = {{"workspace_only", &boolean},
                       {"allowed_paths", &text_list},
                       {"forbidden_paths", &text_list}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode deny_with_reason{
        .noun = "deny entry",
        .types = json_object,
        .required = {"action", "reason"},
        .properties = {{"action", &text}, {"reason", &text}, {"compliance_ref", &text}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode deny_entry{.one_of = {&text, &deny_with_reason}};
    SchemaNode deny_list{.types = json_array, .items = &deny_entry};
    SchemaNode scoped_policy{
        .noun = "scoped policy",
        .types = json_object,
        .required = {"$type"},
        .properties = {{"$type", &text}},
        .extra_members = ExtraMembers::allowed};
    SchemaNode scoped{.noun = "scoped",
                      .types = json_object,
                      .extra_members = ExtraMembers::validated,
                      .extra_member_node = &scoped_policy};
    SchemaNode actions{
        .noun = "actions",
        .types = json_object,
        .properties = {{"allow", &text_list}, {"deny", &deny_list}, {"scoped", &scoped}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode risk_level{.types = json_string,
                          .allowed_values = {"low_risk", "medium_risk", "high_risk"}};
    SchemaNode risk_levels{.types = json_array, .items = &risk_level};
    SchemaNode limits{
        .noun = "limits",
        .types = json_object,
        .properties = {{"max_actions_per_hour", &positive_integer},
                       {"max_cost_per_day_cents", &non_negative_integer},
                       {"require_approval_for", &risk_levels}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode approval_mode{.types = json_string,
                             .allowed_values = {"auto", "human", "quorum"}};
    SchemaNode elevation{
        .noun = "elevation",
        .types = json_object,
        .required = {"id", "grants", "requires", "ttl_seconds"},
        .properties = {{"id", &non_empty_text},
                       {"grants", &any_object},
                       {"requires", &approval_mode},
                       {"ttl_seconds", &positive_integer},
                       {"reason_required", &boolean}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode elevations{.types = json_array, .items = &elevation};
    SchemaNode delegation{
        .noun = "delegation",
        .types = json_object,
        .properties = {{"can_delegate_to", &text_list}, {"max_depth", &positive_integer}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode authority{
        .noun = "authority",
        .types = json_object,
        .required = {"autonomy"},
        .properties = {{"autonomy", &autonomy},
                       {"scope", &scope},
                       {"actions", &actions},
                       {"limits", &limits},
                       {"elevations", &elevations},
                       {"delegation", &delegation},
                       {"ext", &any_object}},
        .extra_members = ExtraMembers::forbidden};

    // An overlay replaces parts of the authority section, so nothing is required.
    SchemaNode authority_overlay{
        .noun = "authority overlay",
        .types = json_object,
        .properties = authority.properties,
        .extra_members = ExtraMembers::forbidden};

    // --- Gates ---------------------------------------------------------------
    SchemaNode comparison{.types = json_string,
                          .allowed_values = {"eq", "neq", "gt", "gte", "lt", "lte"}};
    SchemaNode criterion{
        .noun = "criterion",
        .types = json_object,
        .required = {"metric", "op", "value"},
        .properties = {{"metric", &non_empty_text},
                       {"op", &comparison},
                       {"value", &any_value},
                       {"window_seconds", &positive_integer}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode criteria{.types = json_array, .min_items = 1, .items = &criterion};
    SchemaNode criteria_logic{
        .noun = "criteria_logic",
        .types = json_object,
        .properties = {{"all", &criteria}, {"any", &criteria}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode direction{.types = json_string, .allowed_values = {"promote", "demote"}};
    SchemaNode enforcement{.types = json_string, .allowed_values = {"enforce", "observe"}};
    SchemaNode from_phase{.types = json_string | json_null};
    SchemaNode metric_type{.types = json_string,
                           .allowed_values = {"boolean", "integer", "number", "string"}};
    SchemaNode metric_declaration{
        .noun = "metric declaration",
        .types = json_object,
        .properties = {{"type", &metric_type}},
        .extra_members = ExtraMembers::allowed};
    SchemaNode metrics_schema{.noun = "metrics_schema",
                              .types = json_object,
                              .extra_members = ExtraMembers::validated,
                              .extra_member_node = &metric_declaration};
    SchemaNode on_pass{
        .noun = "on_pass",
        .types = json_object,
        .properties = {{"authority_overlay", &authority_overlay}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode gate{
        .noun = "gate",
        .types = json_object,
        .required = {"id", "direction", "from_phase", "to_phase"},
        .properties = {{"id", &non_empty_text},
                       {"direction", &direction},
                       {"enforcement", &enforcement},
                       {"priority", &integer},
                       {"cooldown_seconds", &non_negative_integer},
                       {"from_phase", &from_phase},
                       {"to_phase", &non_empty_text},
                       {"criteria", &criteria},
                       {"criteria_logic", &criteria_logic},
                       {"metrics_schema", &metrics_schema},
                       {"approval", &approval_mode},
                       {"on_pass", &on_pass}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode gates{.types = json_array, .items = &gate};

    // --- Signature and audit -------------------------------------------------
    SchemaNode signature_algorithm{.types = json_string, .exact_value = "ed25519"};
    SchemaNode canonicalization{.types = json_string, .exact_value = "JCS-RFC8785"};
    SchemaNode signed_fields{.types = json_array, .min_items = 1, .items = &text};
    SchemaNode signature{
        .noun = "signature block",
        .types = json_object,
        .required = {"algorithm", "key_id", "signer", "canonicalization", "signed_fields",
                     "created_at", "digest", "value"},
        .properties = {{"algorithm", &signature_algorithm},
                       {"key_id", &non_empty_text},
                       {"signer", &non_empty_text},
                       {"canonicalization", &canonicalization},
                       {"signed_fields", &signed_fields},
                       {"created_at", &text},
                       {"digest", &text},
                       {"value", &text},
                       {"public_key", &text}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode audit{
        .noun = "audit",
        .types = json_object,
        .properties = {{"log_decisions", &boolean},
                       {"log_gate_transitions", &boolean},
                       {"retention_days", &positive_integer},
                       {"compliance_markers", &text_list}},
        .extra_members = ExtraMembers::forbidden};

    // --- Roots ---------------------------------------------------------------
    SchemaNode version_1_0{.types = json_string, .exact_value = "1.0"};
    SchemaNode persona_v1{
        .noun = "persona",
        .types = json_object,
        .required = {"name", "role", "psychology", "voice"},
        .properties = {{"$schema", &text},
                       {"version", &version_1_0},
                       {"name", &non_empty_text},
                       {"role", &non_empty_text},
                       {"backstory", &text},
                       {"signature", &signature},
                       {"psychology", &psychology},
                       {"voice", &voice},
                       {"capabilities", &capabilities},
                       {"directives", &directives},
                       {"authority", &authority},
                       {"gates", &gates},
                       {"audit", &audit},
                       {"ampersona_contract", &text}},
        .extra_members = ExtraMembers::forbidden};
    SchemaNode persona_v02{
        .noun = "persona",
        .types = json_object,
        .required = {"name", "role", "psychology", "voice"},
        .properties = {{"$schema", &text},
                       {"name", &non_empty_text},
                       {"role", &non_empty_text},
                       {"backstory", &text},
                       {"signature", &signature},
                       {"psychology", &psychology},
                       {"voice", &voice},
                       {"capabilities", &capabilities},
                       {"directives", &directives}},
        .extra_members = ExtraMembers::forbidden,
        .newer_version_members = {"authority", "gates", "audit", "ampersona_contract"}};

    // --- Elevation grants ----------------------------------------------------
    // Paths an elevation may grant. Only members that widen authority are
    // listed: a temporary grant that narrows it (deny, forbidden_paths) has
    // no defined meaning.
    std::array<std::pair<std::string_view, const SchemaNode*>, 8> grants{{
        {"autonomy", &autonomy},
        {"actions.allow", &text_list},
        {"scope.workspace_only", &boolean},
        {"scope.allowed_paths", &text_list},
        {"limits.max_actions_per_hour", &positive_integer},
        {"limits.max_cost_per_day_cents", &non_negative_integer},
        {"delegation.can_delegate_to", &text_list},
        {"delegation.max_depth", &positive_integer},
    }};
};

const SchemaModel& schema_model() {
    static const SchemaModel model;
    return model;
}

}  // namespace

const SchemaNode& persona_schema(std::string_view version) {
    const SchemaModel& model = schema_model();
    return version == "1.0" ? model.persona_v1 : model.persona_v02;
}

const SchemaNode* grant_schema(std::string_view path) {
    const auto& grants = schema_model().grants;
    const auto found = std::find_if(grants.begin(), grants.end(),
                                    [&](const auto& grant) { return grant.first == path; });
    return found == grants.end() ? nullptr : found->second;
}

std::vector<std::string_view> grantable_paths() {
    std::vector<std::string_view> paths;
    for (const auto& grant : schema_model().grants) {
        paths.push_back(grant.first);
    }
    return paths;
}

}  // namespace amp::persona::detail
