//! Plays the JVM's part around one native method, `EngineFaults.panicNow`, whose body panics
//! inside the bridge's `with_env(...).resolve::<ThrowMapped>()` like every export's. A JVM would
//! see the call return with a RuntimeException pending; this program's JNIEnv records what the
//! library asks of it and prints one line per call for check-arm-unwinder.sh to compare.
//!
//! Only what the bridge needs on this path is provided: the few JNI functions, and the three Java
//! methods the jni crate calls to find the exception's class through the thread's context class
//! loader (Thread.currentThread, Thread.getContextClassLoader, Class.forName). Anything else
//! aborts, naming the JNI function's index or the method, so a change in what the bridge calls is
//! a clear failure, not a jump through a null pointer.
//!
//! usage: mapi-android-jni-panic-check <libmapi.so>

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

type Slot = *const c_void;
type Missing = extern "system" fn();

// Indices in the JNI function table and the invocation interface table (JNI specification).
const GET_VERSION: usize = 4;
const FIND_CLASS: usize = 6;
const IS_ASSIGNABLE_FROM: usize = 11;
const THROW_NEW: usize = 14;
const PUSH_LOCAL_FRAME: usize = 19;
const POP_LOCAL_FRAME: usize = 20;
const NEW_GLOBAL_REF: usize = 21;
const DELETE_GLOBAL_REF: usize = 22;
const DELETE_LOCAL_REF: usize = 23;
const GET_METHOD_ID: usize = 33;
const CALL_OBJECT_METHOD_A: usize = 36;
const GET_STATIC_METHOD_ID: usize = 113;
const CALL_STATIC_OBJECT_METHOD_A: usize = 116;
const NEW_STRING_UTF: usize = 167;
const GET_JAVA_VM: usize = 219;
const EXCEPTION_CHECK: usize = 228;
const ATTACH_CURRENT_THREAD: usize = 4;
const DETACH_CURRENT_THREAD: usize = 5;
const GET_ENV: usize = 6;

const JNI_OK: i32 = 0;
const JNI_VERSION_1_8: i32 = 0x0001_0008;
const RTLD_NOW: c_int = 2;
const EXPORT: &CStr = c"Java_eu_ccvlab_mapi_testing_EngineFaults_panicNow";

/// A JNIEnv or a JavaVM: a pointer to its function table.
#[repr(C)]
struct Interface {
    functions: *const Slot,
}

/// What a reference handed to the library stands for. References are leaked boxes of this: a
/// few dozen per run, and nothing is ever collected, so local, global and deleted references can
/// all be the same pointer.
enum Object {
    Class(String),
    Str(String),
    Method(String),
    Thread,
    ClassLoader,
}

fn reference(object: Object) -> *mut c_void {
    Box::into_raw(Box::new(object)).cast()
}

/// # Safety
/// `reference` came from [`reference`].
unsafe fn object<'a>(reference: *mut c_void) -> &'a Object {
    unsafe { &*(reference as *const Object) }
}

fn fail(what: String) -> ! {
    eprintln!("jni-panic-check: {what}, which this stand-in does not provide");
    std::process::abort();
}

static ENV: AtomicPtr<Interface> = AtomicPtr::new(std::ptr::null_mut());
static VM: AtomicPtr<Interface> = AtomicPtr::new(std::ptr::null_mut());
/// The exception the library threw and the JVM has not yet seen: "class: message".
static PENDING: Mutex<Option<String>> = Mutex::new(None);

extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlerror() -> *const c_char;
}

extern "system" fn missing<const TABLE: u8, const INDEX: usize>() {
    let table = if TABLE == 0 { "JNIEnv" } else { "JavaVM" };
    fail(format!("the library called {table} function {INDEX}"));
}

macro_rules! row {
    ($table:literal, $tens:literal) => {{
        let row: [Missing; 10] = [
            missing::<$table, { $tens * 10 }>,
            missing::<$table, { $tens * 10 + 1 }>,
            missing::<$table, { $tens * 10 + 2 }>,
            missing::<$table, { $tens * 10 + 3 }>,
            missing::<$table, { $tens * 10 + 4 }>,
            missing::<$table, { $tens * 10 + 5 }>,
            missing::<$table, { $tens * 10 + 6 }>,
            missing::<$table, { $tens * 10 + 7 }>,
            missing::<$table, { $tens * 10 + 8 }>,
            missing::<$table, { $tens * 10 + 9 }>,
        ];
        row
    }};
}

/// 240 entries: JNI 21's table has 235.
fn env_table() -> Vec<Slot> {
    let rows = [
        row!(0, 0), row!(0, 1), row!(0, 2), row!(0, 3), row!(0, 4), row!(0, 5), row!(0, 6), row!(0, 7),
        row!(0, 8), row!(0, 9), row!(0, 10), row!(0, 11), row!(0, 12), row!(0, 13), row!(0, 14),
        row!(0, 15), row!(0, 16), row!(0, 17), row!(0, 18), row!(0, 19), row!(0, 20), row!(0, 21),
        row!(0, 22), row!(0, 23),
    ];
    let mut table: Vec<Slot> = rows.iter().flatten().map(|f| *f as Slot).collect();
    table[GET_VERSION] = get_version as Slot;
    table[FIND_CLASS] = find_class as Slot;
    table[IS_ASSIGNABLE_FROM] = is_assignable_from as Slot;
    table[THROW_NEW] = throw_new as Slot;
    table[PUSH_LOCAL_FRAME] = push_local_frame as Slot;
    table[POP_LOCAL_FRAME] = pop_local_frame as Slot;
    table[NEW_GLOBAL_REF] = new_global_ref as Slot;
    table[DELETE_GLOBAL_REF] = delete_global_ref as Slot;
    table[DELETE_LOCAL_REF] = delete_local_ref as Slot;
    table[GET_METHOD_ID] = get_method_id as Slot;
    table[CALL_OBJECT_METHOD_A] = call_object_method_a as Slot;
    table[GET_STATIC_METHOD_ID] = get_method_id as Slot;
    table[CALL_STATIC_OBJECT_METHOD_A] = call_static_object_method_a as Slot;
    table[NEW_STRING_UTF] = new_string_utf as Slot;
    table[GET_JAVA_VM] = get_java_vm as Slot;
    table[EXCEPTION_CHECK] = exception_check as Slot;
    table
}

fn vm_table() -> Vec<Slot> {
    let mut table: Vec<Slot> = row!(1, 0).iter().map(|f| *f as Slot).collect();
    table[ATTACH_CURRENT_THREAD] = attach_current_thread as Slot;
    table[DETACH_CURRENT_THREAD] = detach_current_thread as Slot;
    table[GET_ENV] = get_env as Slot;
    table
}

extern "system" fn get_version(_env: *mut Interface) -> i32 {
    JNI_VERSION_1_8
}

unsafe extern "system" fn find_class(_env: *mut Interface, name: *const c_char) -> *mut c_void {
    let name = unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned();
    reference(Object::Class(name))
}

/// The superclass of the classes the bridge throws (java.lang's hierarchy).
fn superclass(class: &str) -> Option<&'static str> {
    match class {
        "java/lang/NullPointerException"
        | "java/lang/IllegalArgumentException"
        | "java/lang/IllegalStateException" => Some("java/lang/RuntimeException"),
        "java/lang/RuntimeException" => Some("java/lang/Exception"),
        "java/lang/Exception" => Some("java/lang/Throwable"),
        "java/lang/Throwable" => Some("java/lang/Object"),
        "java/lang/Object" => None,
        other => fail(format!("the library asked about the class {other}")),
    }
}

unsafe extern "system" fn is_assignable_from(_env: *mut Interface, from: *mut c_void, to: *mut c_void) -> u8 {
    let (Object::Class(from), Object::Class(to)) = (unsafe { object(from) }, unsafe { object(to) }) else {
        fail("IsAssignableFrom with a reference that is not a class".into());
    };
    let mut class = Some(from.as_str());
    while let Some(name) = class {
        if name == to {
            return 1;
        }
        class = superclass(name);
    }
    0
}

unsafe extern "system" fn throw_new(_env: *mut Interface, class: *mut c_void, message: *const c_char) -> i32 {
    let Object::Class(class) = (unsafe { object(class) }) else {
        fail("ThrowNew with a reference that is not a class".into());
    };
    let message = unsafe { CStr::from_ptr(message) };
    let mut pending = PENDING.lock().unwrap();
    if let Some(earlier) = pending.as_ref() {
        fail(format!("a second exception thrown while {earlier} is pending"));
    }
    *pending = Some(format!("{class}: {}", message.to_string_lossy()));
    JNI_OK
}

unsafe extern "system" fn new_string_utf(_env: *mut Interface, text: *const c_char) -> *mut c_void {
    reference(Object::Str(unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned()))
}

/// Static and instance method ids alike: the method's name.
unsafe extern "system" fn get_method_id(
    _env: *mut Interface,
    _class: *mut c_void,
    name: *const c_char,
    _signature: *const c_char,
) -> *mut c_void {
    let name = unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned();
    reference(Object::Method(name))
}

/// The `index`th argument of a Call*MethodA as a reference (a jvalue is 8 bytes, a reference
/// its first field).
unsafe fn argument(arguments: *const u64, index: usize) -> *mut c_void {
    unsafe { *(arguments.add(index) as *const *mut c_void) }
}

unsafe extern "system" fn call_static_object_method_a(
    _env: *mut Interface,
    _class: *mut c_void,
    method: *mut c_void,
    arguments: *const u64,
) -> *mut c_void {
    let Object::Method(method) = (unsafe { object(method) }) else { fail("a call without a method id".into()) };
    match method.as_str() {
        "currentThread" => reference(Object::Thread),
        // Class.forName(String name, boolean initialize, ClassLoader loader), name with dots
        "forName" => match unsafe { object(argument(arguments, 0)) } {
            Object::Str(name) => reference(Object::Class(name.replace('.', "/"))),
            _ => fail("Class.forName without a string".into()),
        },
        other => fail(format!("the library called the static method {other}")),
    }
}

unsafe extern "system" fn call_object_method_a(
    _env: *mut Interface,
    receiver: *mut c_void,
    method: *mut c_void,
    _arguments: *const u64,
) -> *mut c_void {
    let Object::Method(method) = (unsafe { object(method) }) else { fail("a call without a method id".into()) };
    match (method.as_str(), unsafe { object(receiver) }) {
        ("getContextClassLoader", Object::Thread) => reference(Object::ClassLoader),
        (other, _) => fail(format!("the library called the method {other}")),
    }
}

extern "system" fn push_local_frame(_env: *mut Interface, _capacity: i32) -> i32 {
    JNI_OK
}

extern "system" fn pop_local_frame(_env: *mut Interface, result: *mut c_void) -> *mut c_void {
    result
}

extern "system" fn new_global_ref(_env: *mut Interface, object: *mut c_void) -> *mut c_void {
    object
}

extern "system" fn delete_global_ref(_env: *mut Interface, _object: *mut c_void) {}

extern "system" fn delete_local_ref(_env: *mut Interface, _object: *mut c_void) {}

unsafe extern "system" fn get_java_vm(_env: *mut Interface, vm: *mut *mut Interface) -> i32 {
    unsafe { *vm = VM.load(Ordering::SeqCst) };
    JNI_OK
}

extern "system" fn exception_check(_env: *mut Interface) -> u8 {
    PENDING.lock().unwrap().is_some() as u8
}

unsafe extern "system" fn attach_current_thread(_vm: *mut Interface, env: *mut *mut Interface, _args: *mut c_void) -> i32 {
    unsafe { *env = ENV.load(Ordering::SeqCst) };
    JNI_OK
}

extern "system" fn detach_current_thread(_vm: *mut Interface) -> i32 {
    JNI_OK
}

unsafe extern "system" fn get_env(_vm: *mut Interface, env: *mut *mut Interface, _version: i32) -> i32 {
    unsafe { *env = ENV.load(Ordering::SeqCst) };
    JNI_OK
}

fn interface(table: Vec<Slot>) -> *mut Interface {
    let functions = Box::leak(table.into_boxed_slice()).as_ptr();
    Box::into_raw(Box::new(Interface { functions }))
}

/// What the JVM would find when the native method returns; the exception is then Java's.
fn report(call: &str) {
    match PENDING.lock().unwrap().take() {
        Some(exception) => println!("{call}: thrown {exception}"),
        None => println!("{call}: returned without an exception"),
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: mapi-android-jni-panic-check <libmapi.so>");
    ENV.store(interface(env_table()), Ordering::SeqCst);
    VM.store(interface(vm_table()), Ordering::SeqCst);

    let path = CString::new(path).expect("a path without NUL");
    let library = unsafe { dlopen(path.as_ptr(), RTLD_NOW) };
    if library.is_null() {
        panic!("dlopen failed: {}", unsafe { CStr::from_ptr(dlerror()) }.to_string_lossy());
    }
    let symbol = unsafe { dlsym(library, EXPORT.as_ptr()) };
    assert!(!symbol.is_null(), "{} not exported", EXPORT.to_string_lossy());
    let panic_now: extern "system" fn(*mut Interface, *mut c_void) = unsafe { std::mem::transmute(symbol) };

    let class = reference(Object::Class("eu/ccvlab/mapi/testing/EngineFaults".into()));
    for call in ["call 1", "call 2"] {
        panic_now(ENV.load(Ordering::SeqCst), class);
        report(call);
    }
    // A thread of its own, as the app's threads call the SDK: another stack to unwind.
    let class = class as usize;
    std::thread::spawn(move || {
        panic_now(ENV.load(Ordering::SeqCst), class as *mut c_void);
        report("call 3, another thread");
    })
    .join()
    .expect("the calling thread ended normally");
}
