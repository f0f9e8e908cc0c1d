//! What an analysis records while a front end runs the code, and the assembly of the
//! [`FunctionSummary`](crate::FunctionSummary) from it: flows found (kept once per kind, sink
//! and source), SDK calls, access checks, credentials, folded text, modules read, problems.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use perimeter_diagnostics::{Kind, Loc, ScanError};
use rustc_hash::FxHashSet;

use super::value::Taint;
use crate::summary::{Flow, FunctionSummary, SdkCall, Source};

/// Everything the code was seen doing, in the order met.
#[derive(Default)]
pub(crate) struct Effects {
    /// Flows found.
    pub flows: Vec<Flow>,
    flow_keys: FxHashSet<(Kind, String, u32, String, String, u32)>,
    /// SDK calls found.
    pub sdk_calls: Vec<SdkCall>,
    /// The handler's output bindings (Azure Functions).
    pub outputs: Vec<crate::handler::Output>,
    /// Access checks whose denial falls through.
    pub denials: Vec<crate::Denial>,
    /// Access checks that stop the denied caller before any effect.
    pub guards: Vec<Loc>,
    /// Library calls that handle credentials, in the order met.
    pub credentials: Vec<crate::summary::CredentialCall>,
    /// For each `try` being run, in the call chain: whether its handlers stop the handler.
    pub try_stack: Vec<bool>,
    /// Strings built from constants only (see [`crate::FoldedText`]).
    pub folded: Vec<crate::FoldedText>,
    /// Where folded text was recorded: module, start and end.
    pub folded_at: FxHashSet<(usize, u32, u32)>,
    /// Problems.
    pub errors: Vec<ScanError>,
    /// Third-party packages or top-level modules imported.
    pub imports: BTreeSet<String>,
    /// Environment variables read by name.
    pub env_reads: RefCell<BTreeSet<String>>,
    /// What the code run by a request does.
    pub request: crate::request::RequestLog,
    /// Whether an entry point ran (else what a request reaches is not known).
    pub entered: bool,
}

impl Effects {
    /// Records, once per place, a post-back verification at `loc`: a test of the answer of the
    /// HTTP request that sent the caller's data back to where the code chose (see
    /// [`crate::purpose::post_back`]). Nothing when no such request was made.
    pub(crate) fn note_post_back(&mut self, loc: Loc) {
        let Some(call) = crate::purpose::post_back(&self.sdk_calls, &self.flows) else {
            return;
        };
        if self.credentials.iter().any(|c| c.loc == loc) {
            return;
        }
        let name = crate::purpose::post_back_name(call);
        let after_effect = crate::purpose::wrote_besides_http(&self.sdk_calls, &self.flows);
        self.credentials.push(crate::summary::CredentialCall {
            kind: crate::summary::CredentialKind::PostBack,
            name,
            loc,
            after_effect,
        });
    }

    /// Records the labels that reach a sink of this kind at `sink`.
    pub(crate) fn flow(&mut self, kind: Kind, taints: &[Rc<Taint>], sink: &Loc, sink_name: &str) {
        for t in taints {
            if !t.reaches(kind) {
                continue;
            }
            let path = t.source_path();
            let key = (
                kind,
                sink.path().to_owned(),
                sink.span.start,
                path.clone(),
                t.loc.path().to_owned(),
                t.loc.span.start,
            );
            if !self.flow_keys.insert(key) {
                continue;
            }
            self.flows.push(Flow {
                kind,
                source: Source {
                    path,
                    loc: t.loc.clone(),
                },
                steps: t.steps.clone(),
                sink: sink.clone(),
                sink_name: sink_name.to_owned(),
            });
        }
    }

    /// Records one SDK call (or outbound request) with the resources its text may name; a
    /// call made while a request runs goes to the request's log too.
    pub(crate) fn call(
        &mut self,
        call: SdkCall,
        choices: Vec<crate::ResourceExpr>,
        in_request: bool,
    ) {
        if in_request {
            self.request.call(&call.loc, &call.operation);
        }
        crate::spec::record_calls(&mut self.sdk_calls, call, choices);
    }

    /// Moves what was recorded into the summary, in a stable order, with the modules read.
    pub(crate) fn finish(&mut self, summary: &mut FunctionSummary, mut files: Vec<String>) {
        files.sort();
        files.dedup();
        summary.files = files;
        summary.imports = self.imports.iter().cloned().collect();
        summary.env_reads = self.env_reads.take().into_iter().collect();
        let mut flows = std::mem::take(&mut self.flows);
        flows.sort_by(|a, b| {
            (
                a.sink.path(),
                a.sink.span.start,
                a.kind,
                &a.source.path,
                a.source.loc.path(),
                a.source.loc.span.start,
            )
                .cmp(&(
                    b.sink.path(),
                    b.sink.span.start,
                    b.kind,
                    &b.source.path,
                    b.source.loc.path(),
                    b.source.loc.span.start,
                ))
        });
        summary.flows = flows;
        let mut calls = std::mem::take(&mut self.sdk_calls);
        calls.sort_by(|a, b| {
            (a.loc.path(), a.loc.span.start, &a.operation, &a.resource).cmp(&(
                b.loc.path(),
                b.loc.span.start,
                &b.operation,
                &b.resource,
            ))
        });
        summary.sdk_calls = calls;
        // Without an entry point run, what a request reaches is not known apart.
        let request = std::mem::take(&mut self.request);
        if self.entered {
            summary.request = Some(request.finish(&summary.sdk_calls));
        }
        crate::summary::set_denials(summary, std::mem::take(&mut self.denials));
        crate::summary::set_guards(summary, std::mem::take(&mut self.guards));
        crate::summary::set_credentials(summary, std::mem::take(&mut self.credentials));
        crate::summary::set_folded(summary, std::mem::take(&mut self.folded));
        crate::summary::drop_service_set(summary);
        summary.errors.append(&mut self.errors);
        summary.errors.sort();
        summary.errors.dedup();
    }
}
