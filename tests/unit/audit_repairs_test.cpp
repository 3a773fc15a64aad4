#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "amp/audit/chain_verify.hpp"
#include "amp/audit/integrity.hpp"
#include "amp/audit/recovery.hpp"
#include "amp/clock.hpp"
#include "amp/error.hpp"
#include "amp/persona/paths.hpp"
#include "amp/store/chain.hpp"
#include "amp/store/files.hpp"

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using amp::Json;
using amp::audit::AuditBatch;

namespace {

using amp::testing::TempDir;

const std::string torn_tail = R"({"event_type":"Note","text":"half)";

// A persona directory whose audit log contains `notes` complete Note entries
// followed by a torn final line.
amp::persona::PersonaPaths torn_log(const TempDir& dir, int notes) {
    const amp::persona::PersonaPaths paths{dir.path(), "agent"};
    {
        amp::store::ChainAppender appender(paths.audit(), paths.audit_torn());
        for (int i = 0; i < notes; ++i) {
            appender.append(Json{{"event_type", "Note"},
                                 {"text", "note " + std::to_string(i)},
                                 {"prev_hash", appender.head()},
                                 {"ts", "2026-04-01T09:00:00Z"}});
        }
        appender.sync();
    }
    std::ofstream out(paths.audit(), std::ios::binary | std::ios::app);
    out << torn_tail;
    REQUIRE(out.good());
    return paths;
}

Json note(const std::string& text) { return Json{{"event_type", "Note"}, {"text", text}, {"approver", "ops"}}; }

}  // namespace

TEST_CASE("audit batch predicts the head after quarantine", "[audit][repairs]") {
    TempDir dir;
    const auto paths = torn_log(dir, 2);
    const std::string before = amp::store::read_file(paths.audit());

    AuditBatch batch(paths, "2026-04-01T10:00:00Z");
    CHECK(batch.quarantines_torn_tail());
    const Json added = batch.add(note("after the crash"));
    const std::string predicted = batch.head();
    CHECK(amp::store::read_file(paths.audit()) == before);
    CHECK_FALSE(fs::exists(paths.audit_torn()));

    batch.write();
    CHECK(amp::store::read_tail(paths.audit()).head == predicted);
    CHECK(amp::store::read_file(paths.audit_torn()) == torn_tail);
    const amp::audit::ChainReport report = amp::audit::verify_chain(paths.audit());
    CHECK(report.intact());
    CHECK(report.entries == 4);
    CHECK(added["ts"] == "2026-04-01T10:00:00Z");
}

TEST_CASE("audit batch without a torn tail continues the head", "[audit][repairs]") {
    TempDir dir;
    const amp::persona::PersonaPaths paths{dir.path(), "agent"};
    {
        amp::store::ChainAppender appender(paths.audit(), paths.audit_torn());
        appender.append(Json{{"event_type", "Note"}, {"prev_hash", "genesis"}, {"ts", "2026-04-01T09:00:00Z"}});
        appender.sync();
    }
    const std::string head = amp::store::read_tail(paths.audit()).head;

    AuditBatch batch(paths, "2026-04-01T10:00:00Z");
    CHECK_FALSE(batch.quarantines_torn_tail());
    CHECK(batch.head() == head);
    const Json added = batch.add(note("second"));
    CHECK(added["prev_hash"] == head);
    batch.write();
    CHECK(amp::audit::verify_chain(paths.audit()).entries == 2);
    CHECK_FALSE(fs::exists(paths.audit_torn()));
}

TEST_CASE("audit batch rejects an entry before writing", "[audit][repairs]") {
    TempDir dir;
    const auto paths = torn_log(dir, 1);
    const std::string before = amp::store::read_file(paths.audit());

    AuditBatch batch(paths, "2026-04-01T10:00:00Z");
    const std::string head = batch.head();
    CHECK_THROWS_AS(batch.add(note("not UTF-8 \xff")), amp::Error);
    CHECK_THROWS_WITH(batch.add(note(std::string(amp::store::max_chain_line_bytes, 'x'))),
                      Catch::Contains("over the maximum"));
    CHECK(batch.head() == head);
    CHECK(amp::store::read_file(paths.audit()) == before);
    CHECK_FALSE(fs::exists(paths.audit_torn()));
}

TEST_CASE("audit snapshot refuses a torn log", "[audit][repairs]") {
    TempDir dir;
    const auto paths = torn_log(dir, 3);
    const std::string before = amp::store::read_file(paths.audit());
    const amp::TimePoint now = *amp::parse_time("2026-04-01T10:00:00Z");

    try {
        amp::audit::build_snapshot(paths, {}, now);
        FAIL("build_snapshot anchored a log with a torn final line");
    } catch (const amp::Error& error) {
        CHECK(error.code() == amp::ExitCode::negative);
    }
    CHECK(amp::store::read_file(paths.audit()) == before);
    CHECK_FALSE(fs::exists(paths.integrity()));
}

TEST_CASE("audit checkpoint quarantines a torn log", "[audit][repairs]") {
    TempDir dir;
    const auto paths = torn_log(dir, 3);
    const amp::TimePoint now = *amp::parse_time("2026-04-01T10:00:00Z");

    const Json snapshot = amp::audit::create_checkpoint(paths, {}, std::nullopt, now);
    CHECK(snapshot["entries"] == 4);
    CHECK(amp::store::read_file(paths.audit_torn()) == torn_tail);

    // The snapshot anchors the Recovery entry, and the Checkpoint entry follows it.
    amp::audit::VerifyOptions options;
    options.heads_at = {4};
    const amp::audit::ChainReport report = amp::audit::verify_chain(paths.audit(), options);
    CHECK(report.intact());
    CHECK(report.entries == 5);
    CHECK(report.heads_at.at(4) == snapshot["chain_head"].get<std::string>());
}

TEST_CASE("audit checkpoint refusal leaves a torn log as it was", "[audit][repairs]") {
    TempDir dir;
    const auto paths = torn_log(dir, 3);
    const std::string before = amp::store::read_file(paths.audit());
    const amp::TimePoint now = *amp::parse_time("2026-04-01T10:00:00Z");

    CHECK_THROWS_WITH(amp::audit::create_checkpoint(paths, {{2, "reviewed"}}, std::nullopt, now),
                      Catch::Contains("has no unacknowledged break; entry 2 needs no acknowledgement"));
    CHECK(amp::store::read_file(paths.audit()) == before);
    CHECK_FALSE(fs::exists(paths.audit_torn()));
    CHECK_FALSE(fs::exists(paths.integrity()));
}
