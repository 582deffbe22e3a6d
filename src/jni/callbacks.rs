//! Callbacks into Java. The engine calls a [`JniDelegate`] on its own thread; the delegate calls
//! the internal `NativeCallbacks` object with method ids resolved once at `JNI_OnLoad` (through
//! the app's class loader) and never looks a class up on that thread. The Java side re-posts each
//! call on the app's executor, so public delegates never run on a native thread.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock};

use jni::ids::JMethodID;
use jni::objects::{JClass, JObject, JObjectArray, JString};
use jni::refs::Global;
use jni::signature::{JavaType, Primitive};
use jni::sys::jvalue;
use jni::vm::AttachConfig;
use jni::{jni_sig, jni_str, Env, JValue, JavaVM};

use super::errors::BridgeError;
use crate::client::{
    AdministrationResult, Delegate, InputAsk, PaymentReceipt, PaymentResult, SdkError,
};
use crate::message::Response;
use crate::message::{ConfigItem, OverallResult, TextLine};

/// Method ids of `eu.ccvlab.mapi.internal.NativeCallbacks`, resolved once.
struct CallbackMethods {
    // Keeps the interface (and so the method ids) from being unloaded.
    _class: Global<JClass<'static>>,
    on_output: JMethodID,
    on_ask: JMethodID,
    on_payment_result: JMethodID,
    on_administration_success: JMethodID,
    on_error: JMethodID,
    on_data: JMethodID,
}

static METHODS: OnceLock<CallbackMethods> = OnceLock::new();

/// JNI global references held by native code right now (test diagnostics: must not grow).
static GLOBAL_REFS: AtomicI64 = AtomicI64::new(0);

/// Questions from the terminal that Java has not answered yet, by handle.
static ASKS: OnceLock<Mutex<HashMap<i64, InputAsk>>> = OnceLock::new();
static NEXT_ASK: AtomicI64 = AtomicI64::new(1);

fn asks() -> &'static Mutex<HashMap<i64, InputAsk>> {
    ASKS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Resolves the callback interface; runs in `JNI_OnLoad`, where `FindClass` uses the class loader
/// of the class that loaded the library — the app's.
pub fn init(env: &mut Env<'_>) -> Result<(), BridgeError> {
    if METHODS.get().is_some() {
        return Ok(());
    }
    let class = env.find_class(jni_str!("eu/ccvlab/mapi/internal/NativeCallbacks"))?;
    let methods = CallbackMethods {
        on_output: env.get_method_id(&class, jni_str!("onOutput"), jni_sig!("(I[Ljava/lang/String;)V"))?,
        on_ask: env.get_method_id(&class, jni_str!("onAsk"), jni_sig!("(IJ[Ljava/lang/String;)V"))?,
        on_payment_result: env.get_method_id(
            &class,
            jni_str!("onPaymentResult"),
            jni_sig!("(ZLjava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;ZLjava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
        )?,
        on_administration_success: env.get_method_id(
            &class,
            jni_str!("onAdministrationSuccess"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)V"),
        )?,
        on_error: env.get_method_id(
            &class,
            jni_str!("onError"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;ZLjava/lang/String;)V"),
        )?,
        on_data: env.get_method_id(&class, jni_str!("onData"), jni_sig!("(I[Ljava/lang/String;)V"))?,
        _class: env.new_global_ref(&class)?,
    };
    let _ = METHODS.set(methods);
    Ok(())
}

/// Number of JNI global references native code holds (the class above counts once).
pub fn global_ref_count() -> i64 {
    GLOBAL_REFS.load(Ordering::SeqCst) + i64::from(METHODS.get().is_some())
}

/// Number of native handles alive (unanswered questions).
pub fn live_handle_count() -> i64 {
    asks().lock().map(|asks| asks.len() as i64).unwrap_or(-1)
}

/// Answers a question handed to Java with `onAsk`; each handle answers once.
pub fn answer_ask(handle: i64, yes: bool) -> Result<(), BridgeError> {
    let ask = asks()
        .lock()
        .map_err(|_| BridgeError::StaleHandle("ask table poisoned".to_owned()))?
        .remove(&handle)
        .ok_or_else(|| {
            BridgeError::StaleHandle(format!(
                "ask handle {handle} was already answered or never existed"
            ))
        })?;
    ask.confirm(yes);
    Ok(())
}

/// A global reference to the flow's `NativeCallbacks`, counted for the leak diagnostics.
struct CountedGlobal(Global<JObject<'static>>);

impl Drop for CountedGlobal {
    fn drop(&mut self) {
        GLOBAL_REFS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The engine-side delegate of one Java flow.
pub struct JniDelegate {
    callbacks: CountedGlobal,
    /// Questions handed to Java for this flow and not answered yet.
    open_asks: Mutex<Vec<i64>>,
}

impl JniDelegate {
    /// Wraps the Java `NativeCallbacks` of one call.
    pub fn new(env: &Env<'_>, callbacks: &JObject<'_>) -> Result<JniDelegate, BridgeError> {
        if callbacks.is_null() {
            return Err(BridgeError::Null("callbacks"));
        }
        let global = env.new_global_ref(callbacks)?;
        GLOBAL_REFS.fetch_add(1, Ordering::SeqCst);
        Ok(JniDelegate {
            callbacks: CountedGlobal(global),
            open_asks: Mutex::new(Vec::new()),
        })
    }

    /// Calls one `void` method of the callbacks object on this (native) thread, attached once for
    /// good; a Java exception is caught by jni, logged here, and never reaches the engine.
    fn call(
        &self,
        what: &str,
        pick: fn(&CallbackMethods) -> JMethodID,
        build: impl for<'e> FnOnce(&mut Env<'e>) -> jni::errors::Result<Vec<Arg<'e>>>,
    ) {
        let Some(methods) = METHODS.get() else {
            log::error!("{what}: the native library was not initialised by JNI_OnLoad");
            return;
        };
        let vm = match JavaVM::singleton() {
            Ok(vm) => vm,
            Err(error) => {
                log::error!("{what}: no Java VM: {error}");
                return;
            }
        };
        // Named so that a thread dump or a test can tell the engine thread from the app's threads.
        let config = || AttachConfig::new().thread_name(jni_str!("mapi-engine"));
        let result = vm.attach_current_thread_with_config(
            config,
            Some(32),
            |env| -> jni::errors::Result<()> {
                let args = build(env)?;
                let raw: Vec<jvalue> = args.iter().map(Arg::as_jni).collect();
                // SAFETY: the method id was resolved from NativeCallbacks with the signature `build`
                // produces arguments for, and the object implements that interface.
                unsafe {
                    env.call_method_unchecked(
                        self.callbacks.0.as_obj(),
                        pick(methods),
                        JavaType::Primitive(Primitive::Void),
                        &raw,
                    )?;
                }
                Ok(())
            },
        );
        if let Err(error) = result {
            log::error!("{what} callback failed: {error}");
        }
    }

    fn data(&self, kind: i32, values: Vec<String>) {
        self.call(
            "onData",
            |m| m.on_data,
            move |env| {
                Ok(vec![
                    Arg::Int(kind),
                    Arg::Object(string_array(env, &values)?.into()),
                ])
            },
        );
    }

    fn output(&self, target: i32, lines: Vec<String>) {
        self.call(
            "onOutput",
            |m| m.on_output,
            move |env| {
                Ok(vec![
                    Arg::Int(target),
                    Arg::Object(string_array(env, &lines)?.into()),
                ])
            },
        );
    }
}

/// An argument for `call_method_unchecked`, owning its local reference until the call.
enum Arg<'local> {
    Int(i32),
    Long(i64),
    Bool(bool),
    Object(JObject<'local>),
}

impl Arg<'_> {
    fn as_jni(&self) -> jvalue {
        match self {
            Arg::Int(value) => JValue::Int(*value).as_jni(),
            Arg::Long(value) => JValue::Long(*value).as_jni(),
            Arg::Bool(value) => JValue::Bool(*value).as_jni(),
            Arg::Object(object) => JValue::Object(object).as_jni(),
        }
    }
}

/// A Java `String[]` of `items`.
pub fn string_array<'local>(
    env: &mut Env<'local>,
    items: &[String],
) -> jni::errors::Result<JObjectArray<'local, JString<'local>>> {
    let array = JObjectArray::<JString>::new(env, items.len(), JString::null())?;
    for (index, item) in items.iter().enumerate() {
        let text = JString::new(env, item)?;
        array.set_element(env, index, &text)?;
        env.delete_local_ref(text);
    }
    Ok(array)
}

fn optional_string<'local>(
    env: &mut Env<'local>,
    value: Option<&str>,
) -> jni::errors::Result<Arg<'local>> {
    Ok(Arg::Object(match value {
        Some(text) => JString::new(env, text)?.into(),
        None => JObject::null(),
    }))
}

/// The data Java's `PaymentAdministrationResult.data()` carries: the card brands of CardCircuits,
/// or "circuit count amount currency" per total of a closing or overview.
fn administration_data(response: &Response) -> Option<Vec<String>> {
    let Response::Service(service) = response else {
        return None;
    };
    let circuits = service.card_circuit_codes();
    if !circuits.is_empty() {
        return Some(circuits);
    }
    let totals = &service.reconciliation.as_ref()?.totals;
    Some(
        totals
            .iter()
            .map(|t| {
                format!(
                    "{} {} {} {}",
                    t.card_circuit.as_deref().unwrap_or("-"),
                    t.number_payments.as_deref().unwrap_or("0"),
                    t.value,
                    t.currency.as_deref().unwrap_or("")
                )
            })
            .collect(),
    )
}

fn texts(lines: &[TextLine]) -> Vec<String> {
    lines.iter().map(|line| line.text.clone()).collect()
}

/// The TerminalID of an answer's `Terminal` element, for `PaymentAdministrationResult.terminalId()`.
fn answer_terminal_id(response: &Response) -> Option<String> {
    let terminal = match response {
        Response::Card(card) => card.terminal.as_ref(),
        Response::Service(service) => service.terminal.as_ref(),
    };
    terminal.and_then(|t| t.terminal_id.clone())
}

/// The fields of a payment result Java shows; the PAN only masked. The token goes to the app as
/// issued (it needs it to charge the card later) and is never logged. The last three are the
/// authorisation's ReceiptNumber, ReturnCode and ActionCode.
fn payment_fields(result: &PaymentResult) -> [Option<String>; 11] {
    let response = match &result.response {
        Some(Response::Card(response)) => Some(response),
        _ => None,
    };
    let terminal = response.and_then(|r| r.terminal.as_ref());
    let authorisation = response
        .and_then(|r| r.tender.as_ref())
        .and_then(|t| t.authorisation.as_ref());
    // A card read (detection, validation) names the card in CardValue, not in an authorisation.
    let card = response.and_then(|r| r.card_value.as_ref());
    let circuit = authorisation
        .and_then(|a| a.card_circuit.clone())
        .or_else(|| card.and_then(|c| c.card_circuit.clone()));
    let pan = authorisation
        .and_then(|a| a.card_pan.as_ref())
        .or_else(|| card.and_then(|c| c.card_pan.as_ref()))
        .map(|p| p.masked());
    let token = response
        .and_then(|r| r.private_data.as_ref())
        .and_then(|p| p.card_token.as_ref())
        .map(|t| t.expose().to_owned());
    [
        result.amount.map(|a| a.to_string()),
        result.currency.clone(),
        terminal.and_then(|t| t.terminal_id.clone()),
        terminal.and_then(|t| t.stan.clone()),
        authorisation.and_then(|a| a.approval_code.clone()),
        circuit,
        pan,
        token,
        authorisation.and_then(|a| a.receipt_number.clone()),
        authorisation.and_then(|a| a.return_code.clone()),
        authorisation.and_then(|a| a.action_code.clone()),
    ]
}

impl Delegate for JniDelegate {
    fn show_terminal_output_lines(&self, lines: &[TextLine]) {
        self.output(0, texts(lines));
    }
    fn show_on_customer_display(&self, lines: &[TextLine]) {
        self.output(1, texts(lines));
    }
    fn print_merchant_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.output(2, receipt.plain_text_lines());
    }
    fn print_customer_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.output(3, receipt.plain_text_lines());
    }
    fn print_journal_receipt(&self, receipt: &PaymentReceipt) {
        self.output(4, receipt.plain_text_lines());
    }
    fn store_ejournal(&self, text: &str) {
        self.output(5, vec![text.to_owned()]);
    }
    fn print_dcc_offer(&self, receipt: &PaymentReceipt) {
        self.output(6, receipt.plain_text_lines());
    }
    fn e_receipt(&self, content: &str) {
        self.output(7, vec![content.to_owned()]);
    }
    fn config_data(&self, items: &[ConfigItem]) {
        let pairs = items
            .iter()
            .flat_map(|item| [item.name.clone(), item.value.clone()])
            .collect();
        self.data(0, pairs);
    }
    fn card_uid(&self, uid: &str) {
        self.data(1, vec![uid.to_owned()]);
    }
    fn ask_customer_signature(&self, ask: InputAsk) {
        self.ask(0, ask);
    }
    fn ask_customer_identification(&self, ask: InputAsk) {
        self.ask(1, ask);
    }
    fn on_deliver_goods_or_services(&self, ask: InputAsk) {
        self.ask(2, ask);
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        self.forget_open_asks();
        self.payment_result(true, result);
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        self.forget_open_asks();
        self.payment_result(false, result);
    }
    fn on_payment_administration_success(&self, result: &AdministrationResult) {
        self.forget_open_asks();
        let (status, id, kind) = (
            result.result.to_string(),
            result.request_id.to_string(),
            result.response.request_type().to_owned(),
        );
        let data = administration_data(&result.response);
        let terminal_id = answer_terminal_id(&result.response);
        self.call(
            "onAdministrationSuccess",
            |m| m.on_administration_success,
            move |env| {
                Ok(vec![
                    optional_string(env, Some(&status))?,
                    optional_string(env, Some(&id))?,
                    optional_string(env, Some(&kind))?,
                    match &data {
                        Some(items) => Arg::Object(string_array(env, items)?.into()),
                        None => Arg::Object(JObject::null()),
                    },
                    optional_string(env, terminal_id.as_deref())?,
                ])
            },
        );
    }
    fn on_error(&self, error: &SdkError) {
        self.forget_open_asks();
        let mapi = error.mapi_error.map(|e| e.java_name());
        let result = error.result.as_ref().map(OverallResult::to_string);
        let id = error.request_id.as_ref().map(|id| id.to_string());
        let (recovery, detail) = (error.recovery_needed, error.detail.clone());
        self.call(
            "onError",
            |m| m.on_error,
            move |env| {
                Ok(vec![
                    optional_string(env, mapi)?,
                    optional_string(env, result.as_deref())?,
                    optional_string(env, id.as_deref())?,
                    Arg::Bool(recovery),
                    optional_string(env, Some(&detail))?,
                ])
            },
        );
    }
}

impl JniDelegate {
    /// A flow that ended can have no question pending: the terminal withdrew it. Dropping the
    /// handles (each answers "no" to a session that no longer waits) keeps the table from growing.
    fn forget_open_asks(&self) {
        let handles = self
            .open_asks
            .lock()
            .map(|mut open| std::mem::take(&mut *open))
            .unwrap_or_default();
        if let Ok(mut table) = asks().lock() {
            for handle in handles {
                table.remove(&handle);
            }
        }
    }

    fn ask(&self, kind: i32, ask: InputAsk) {
        let prompt = texts(&ask.prompt);
        let handle = NEXT_ASK.fetch_add(1, Ordering::SeqCst);
        match asks().lock() {
            Ok(mut table) => {
                table.insert(handle, ask);
                if let Ok(mut open) = self.open_asks.lock() {
                    open.push(handle);
                }
            }
            Err(_) => {
                log::error!("ask table poisoned; answering no");
                ask.confirm(false);
                return;
            }
        }
        self.call(
            "onAsk",
            |m| m.on_ask,
            move |env| {
                Ok(vec![
                    Arg::Int(kind),
                    Arg::Long(handle),
                    Arg::Object(string_array(env, &prompt)?.into()),
                ])
            },
        );
    }

    fn payment_result(&self, success: bool, result: &PaymentResult) {
        let status = result.result.to_string();
        let id = result.request_id.to_string();
        let recovered = result.recovered;
        let [amount, currency, terminal, stan, approval, circuit, pan, token, receipt, return_code, action] =
            payment_fields(result);
        self.call(
            "onPaymentResult",
            |m| m.on_payment_result,
            move |env| {
                Ok(vec![
                    Arg::Bool(success),
                    optional_string(env, Some(&status))?,
                    optional_string(env, Some(&id))?,
                    optional_string(env, amount.as_deref())?,
                    optional_string(env, currency.as_deref())?,
                    Arg::Bool(recovered),
                    optional_string(env, terminal.as_deref())?,
                    optional_string(env, stan.as_deref())?,
                    optional_string(env, approval.as_deref())?,
                    optional_string(env, circuit.as_deref())?,
                    optional_string(env, pan.as_deref())?,
                    optional_string(env, token.as_deref())?,
                    optional_string(env, receipt.as_deref())?,
                    optional_string(env, return_code.as_deref())?,
                    optional_string(env, action.as_deref())?,
                ])
            },
        );
    }
}
