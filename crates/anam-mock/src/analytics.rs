//! Session analytics, computed from the turns a test gave a [`SessionRecord`]: one session's
//! (its turns and a summary) and the aggregate over the sessions of a time range (latency
//! distributions, counts, rates and the slowest turns). What no turn tells is null, as Anam's
//! answers have it.

use std::collections::HashMap;

use anam_api::types::{
    AggregatedSessionAnalytics, AverageLatencies, InterruptedStage, LatencyMetric, LatencyStats, SessionAnalytics,
    SessionAnalyticsConfig, SessionAnalyticsCounts, SessionAnalyticsFilters, SessionAnalyticsRates,
    SessionAnalyticsSummary, SessionAnalyticsTurn, SessionLatencies, SessionType, SlowestTurn, ToolCallCounts,
    ToolCallStatus, TurnFinishReason,
};
use chrono::{DateTime, Duration, Utc};

use crate::input::Input;
use crate::reply::{Answer, Failure, not_found, ok};
use crate::sessions::{SessionRecord, find, refuse_organization};
use crate::state::{State, now};
use crate::validate::refused;

/// At most this many report-capable sessions are aggregated, the most recent first.
const AGGREGATE_WINDOW: usize = 1000;
/// The slowest turns listed for each headline latency.
const SLOWEST_PER_METRIC: usize = 5;

/// The turns of a session's report, when it has one: ended, of a type that reports (not
/// LiveKit), and given turns.
fn report(record: &SessionRecord) -> Option<&[SessionAnalyticsTurn]> {
    let reports = record.ended() && record.session_type != SessionType::Livekit;
    record.turns.as_deref().filter(|_| reports)
}

pub(crate) fn session(state: &mut State, input: &Input) -> Answer {
    let include_messages = input.flag("includeMessages")?.unwrap_or(false);
    let record = find(state, &input.id)?;
    let turns = report(record).ok_or_else(|| match record.session_type {
        SessionType::Livekit => not_found("Analytics (LiveKit sessions have none)"),
        _ if !record.ended() => not_found("Analytics (the session has not ended)"),
        _ => not_found("Analytics (no report arrived for this session)"),
    })?;
    let keep_messages = include_messages && record.transcripts_enabled;
    let turns: Vec<SessionAnalyticsTurn> = turns
        .iter()
        .map(|turn| match keep_messages {
            true => turn.clone(),
            false => SessionAnalyticsTurn { user_message: None, assistant_message: None, ..turn.clone() },
        })
        .collect();
    let session = &record.session;
    let persona = session.persona_id.as_ref().and_then(|id| state.personas.get(id));
    ok(SessionAnalytics {
        session_id: Some(session.id.clone()),
        start_time: session.start_time,
        end_time: session.end_time,
        duration_seconds: session.session_length_ms.map(|ms| ms as f64 / 1000.0),
        session_type: Some(record.session_type.clone()),
        exit_status: session.exit_status.clone(),
        client_label: session.client_label.clone(),
        client_metadata: session.client_metadata.clone(),
        persona_id: session.persona_id.clone(),
        api_key_id: session.api_key_id.clone(),
        config: Some(SessionAnalyticsConfig {
            persona_name: persona.and_then(|p| p.name.clone()),
            transcripts_enabled: Some(record.transcripts_enabled),
            ..Default::default()
        }),
        summary: Some(summary(record, &turns)),
        turns: Some(turns),
    })
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn finished(turns: &[SessionAnalyticsTurn], reason: TurnFinishReason) -> usize {
    turns.iter().filter(|t| t.finish_reason.as_ref() == Some(&reason)).count()
}

fn replied(turns: &[SessionAnalyticsTurn]) -> usize {
    turns.iter().filter(|t| t.finish_reason.is_some()).count()
}

fn summary(record: &SessionRecord, turns: &[SessionAnalyticsTurn]) -> SessionAnalyticsSummary {
    let word_count = |text: &Option<String>| text.as_deref().map(|t| t.split_whitespace().count());
    let sum_words = |pick: fn(&SessionAnalyticsTurn) -> &Option<String>| {
        turns.iter().filter_map(|t| word_count(pick(t))).reduce(|a, b| a + b).map(count)
    };
    let speech: Vec<f64> = turns.iter().filter_map(|t| t.user_speech_duration_seconds).collect();
    let interrupted = finished(turns, TurnFinishReason::Interrupted);
    SessionAnalyticsSummary {
        total_turns: Some(count(turns.len())),
        completed_turns: Some(count(finished(turns, TurnFinishReason::Completed))),
        interrupted_turns: Some(count(interrupted)),
        interruption_rate: ratio(interrupted, replied(turns)),
        total_user_speech_duration_seconds: (!speech.is_empty()).then(|| speech.iter().sum()),
        total_user_words: sum_words(|t| &t.user_message),
        total_assistant_words: sum_words(|t| &t.assistant_message),
        total_warnings: Some(record.warnings),
        total_errors: Some(record.errors),
        tool_calls: Some(tool_calls([turns].into_iter())),
        average_latencies: Some(AverageLatencies {
            transcription_latency_seconds: average(turns, |t| t.transcription_latency_seconds),
            llm_time_to_first_output_seconds: average(turns, |t| t.llm_time_to_first_output_seconds),
            tts_generation_duration_seconds: average(turns, |t| t.tts_generation_duration_seconds),
            first_audio_latency_seconds: average(turns, |t| t.first_audio_latency_seconds),
        }),
    }
}

fn average(turns: &[SessionAnalyticsTurn], value: Measure) -> Option<f64> {
    let values: Vec<f64> = turns.iter().filter_map(value).collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The tool calls of every turn given: total, succeeded (`completed`), failed, and by name.
fn tool_calls<'a>(turn_lists: impl Iterator<Item = &'a [SessionAnalyticsTurn]>) -> ToolCallCounts {
    let (mut total, mut succeeded, mut failed, mut by_name) = (0, 0, 0, HashMap::<String, i64>::new());
    for call in turn_lists.flatten().flat_map(|t| t.tool_calls.iter().flatten()) {
        total += 1;
        match call.status {
            Some(ToolCallStatus::Completed) => succeeded += 1,
            Some(ToolCallStatus::Failed) => failed += 1,
            _ => {}
        }
        if let Some(name) = &call.tool_name {
            *by_name.entry(name.clone()).or_default() += 1;
        }
    }
    ToolCallCounts {
        total: Some(total),
        succeeded: Some(succeeded),
        failed: Some(failed),
        by_name: Some(by_name.into_iter().collect()),
    }
}

/// `count`, average, nearest-rank percentiles and maximum of `values`; null figures when empty.
fn stats(mut values: Vec<f64>) -> LatencyStats {
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| -> Option<f64> {
        let index = ((p / 100.0) * values.len() as f64).ceil() as usize;
        values.get(index.saturating_sub(1)).copied()
    };
    let avg = (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
    LatencyStats {
        count: Some(count(values.len())),
        avg,
        p50: rank(50.0),
        p90: rank(90.0),
        p95: rank(95.0),
        p99: rank(99.0),
        max: values.last().copied(),
    }
}

/// The time range and filters of an aggregate, checked.
struct Range {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    filters: SessionAnalyticsFilters,
}

fn range(input: &Input) -> Result<Range, Failure> {
    refuse_organization(input)?;
    let (given_from, given_to) = (input.date_time("from")?, input.date_time("to")?);
    // The spec's `x-anam-period`, through the check the SDK runs before sending.
    anam_api::call::check_period(input.op, given_from.as_ref(), given_to.as_ref()).map_err(|error| {
        let code = if error.expected.starts_with("at most") { "too_big" } else { "invalid_combination" };
        refused(error, code)
    })?;
    let to = given_to.unwrap_or_else(now);
    let from = given_from.unwrap_or(to - Duration::hours(24));
    let session_type = input.one_of("sessionType", SessionType::KNOWN)?.map(SessionType::from);
    let filters = SessionAnalyticsFilters {
        persona_id: input.text("personaId").map(Into::into),
        api_key_id: input.text("apiKeyId").map(str::to_owned),
        client_label: input.text("clientLabel").map(str::to_owned),
        session_type,
    };
    Ok(Range { from, to, filters })
}

impl Range {
    fn matches(&self, record: &SessionRecord) -> bool {
        let (s, f) = (&record.session, &self.filters);
        s.start_time.is_some_and(|t| t >= self.from && t <= self.to)
            && f.persona_id.as_ref().is_none_or(|p| s.persona_id.as_ref() == Some(p))
            && f.api_key_id.as_ref().is_none_or(|k| s.api_key_id.as_ref() == Some(k))
            && f.client_label.as_ref().is_none_or(|l| s.client_label.as_ref() == Some(l))
            && f.session_type.as_ref().is_none_or(|t| *t == record.session_type)
    }
}

/// The aggregate over the sessions that started in the range and match the filters.
pub(crate) fn aggregate(state: &mut State, input: &Input) -> Answer {
    let range = range(input)?;
    let matching: Vec<&SessionRecord> = state.sessions.iter().filter(|r| range.matches(r)).collect();
    let mut reporting: Vec<&SessionRecord> = matching.iter().copied().filter(|r| report(r).is_some()).collect();
    reporting.sort_by_key(|r| std::cmp::Reverse(r.session.start_time));
    let truncated = reporting.len() > AGGREGATE_WINDOW;
    reporting.truncate(AGGREGATE_WINDOW);
    let turns = || reporting.iter().flat_map(|r| report(r).unwrap_or_default());
    let turn_count = turns().count();
    let interrupted = turns().filter(|t| t.finish_reason == Some(TurnFinishReason::Interrupted)).count();
    let before_audio = turns().filter(|t| interrupted_before_audio(t)).count();
    let with_reply = turns().filter(|t| t.finish_reason.is_some()).count();
    let with_errors = reporting.iter().filter(|r| r.errors > 0).count();
    let with_warnings = reporting.iter().filter(|r| r.warnings > 0).count();
    let calls = tool_calls(reporting.iter().map(|r| report(r).unwrap_or_default()));
    let rates = SessionAnalyticsRates {
        interruption_rate: ratio(interrupted, with_reply),
        interrupted_before_audio_rate: ratio(before_audio, with_reply),
        error_session_rate: ratio(with_errors, reporting.len()),
        warning_session_rate: ratio(with_warnings, reporting.len()),
        tool_call_failure_rate: ratio(calls.failed.unwrap_or(0) as usize, calls.total.unwrap_or(0) as usize),
    };
    let counts = SessionAnalyticsCounts {
        completed_turns: Some(count(turns().filter(|t| t.finish_reason == Some(TurnFinishReason::Completed)).count())),
        interrupted_turns: Some(count(interrupted)),
        interrupted_before_audio_turns: Some(count(before_audio)),
        total_errors: Some(reporting.iter().map(|r| r.errors).sum()),
        total_warnings: Some(reporting.iter().map(|r| r.warnings).sum()),
        sessions_with_errors: Some(count(with_errors)),
        sessions_with_warnings: Some(count(with_warnings)),
        tool_calls: Some(calls),
    };
    let stat = |value: Measure| Some(stats(turns().filter_map(value).collect()));
    let latencies = SessionLatencies {
        transcription_latency_seconds: stat(|t| t.transcription_latency_seconds),
        llm_time_to_first_output_seconds: stat(|t| t.llm_time_to_first_output_seconds),
        llm_generation_duration_seconds: stat(|t| t.llm_generation_duration_seconds),
        tts_generation_duration_seconds: stat(|t| t.tts_generation_duration_seconds),
        tts_time_to_first_audio_seconds: stat(|t| t.tts_time_to_first_audio_seconds),
        first_audio_latency_seconds: stat(|t| t.first_audio_latency_seconds),
        speaking_duration_seconds: stat(|t| t.speaking_duration_seconds),
        user_speech_duration_seconds: stat(|t| t.user_speech_duration_seconds),
    };
    ok(AggregatedSessionAnalytics {
        from: Some(range.from),
        to: Some(range.to),
        filters: Some(range.filters.clone()),
        session_count: Some(count(matching.len())),
        sessions_with_reports: Some(count(reporting.len())),
        truncated: Some(truncated),
        turn_count: Some(count(turn_count)),
        latencies: Some(latencies),
        counts: Some(counts),
        rates: Some(rates),
        slowest_turns: Some(slowest(&reporting)),
    })
}

/// An interruption before the persona started speaking.
fn interrupted_before_audio(turn: &SessionAnalyticsTurn) -> bool {
    use InterruptedStage::*;
    matches!(turn.interrupted_stage, Some(BeforeLlmOutput | DuringLlmGeneration | BeforeAudio))
}

/// One latency of a turn, when the engine recorded it.
type Measure = fn(&SessionAnalyticsTurn) -> Option<f64>;

/// The slowest turns for each headline latency, slowest first.
fn slowest(records: &[&SessionRecord]) -> Vec<SlowestTurn> {
    let metrics: [(LatencyMetric, Measure); 4] = [
        (LatencyMetric::TranscriptionLatencySeconds, |t| t.transcription_latency_seconds),
        (LatencyMetric::LlmTimeToFirstOutputSeconds, |t| t.llm_time_to_first_output_seconds),
        (LatencyMetric::TtsTimeToFirstAudioSeconds, |t| t.tts_time_to_first_audio_seconds),
        (LatencyMetric::FirstAudioLatencySeconds, |t| t.first_audio_latency_seconds),
    ];
    let mut slowest = Vec::new();
    for (metric, value) in metrics {
        let mut turns: Vec<(f64, &SessionRecord, &SessionAnalyticsTurn)> = records
            .iter()
            .flat_map(|r| report(r).unwrap_or_default().iter().map(move |t| (r, t)))
            .filter_map(|(r, t)| value(t).map(|v| (v, *r, t)))
            .collect();
        turns.sort_by(|a, b| b.0.total_cmp(&a.0));
        slowest.extend(turns.into_iter().take(SLOWEST_PER_METRIC).map(|(v, r, t)| SlowestTurn {
            session_id: Some(r.session.id.clone()),
            correlation_id: t.correlation_id.clone(),
            metric: Some(metric.clone()),
            value_seconds: Some(v),
            session_start_time: r.session.start_time,
            persona_id: r.session.persona_id.clone(),
            client_label: r.session.client_label.clone(),
        }));
    }
    slowest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_stats_use_nearest_ranks_and_are_null_when_empty() {
        let stats = stats((1..=10).map(f64::from).collect());
        assert_eq!(
            (stats.count, stats.avg, stats.p50, stats.p90, stats.max),
            (Some(10), Some(5.5), Some(5.0), Some(9.0), Some(10.0))
        );
        assert_eq!((stats.p95, stats.p99), (Some(10.0), Some(10.0)));
        let empty = super::stats(Vec::new());
        assert_eq!((empty.count, empty.avg, empty.p50, empty.max), (Some(0), None, None, None));
    }

    #[test]
    fn ratios_need_something_to_divide_by() {
        assert_eq!(ratio(1, 4), Some(0.25));
        assert_eq!(ratio(0, 0), None);
    }
}
