//! The one table that turns every failure at the JNI boundary into one Java outcome.

use jni::errors::ErrorPolicy;
use jni::{jni_str, Env};

/// What can go wrong while a native method runs on the caller's thread. Failures of a flow are
/// not here: they reach the app as one `onError` callback.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// A required argument was `null` → `NullPointerException`.
    #[error("{0} must not be null")]
    Null(&'static str),
    /// An argument is out of range or malformed → `IllegalArgumentException`.
    #[error("{0}")]
    InvalidArgument(String),
    /// A handle that was released or never existed → `IllegalStateException`.
    #[error("{0}")]
    StaleHandle(String),
    /// The JNI call itself failed (a Java exception may already be pending) → `RuntimeException`.
    #[error("JNI call failed: {0}")]
    Jni(#[from] jni::errors::Error),
}

/// Throws the mapped Java exception and returns the type's default to the JVM; a panic becomes a
/// `RuntimeException` instead of aborting the process.
#[derive(Debug, Default)]
pub struct ThrowMapped;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowMapped {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        error: BridgeError,
    ) -> jni::errors::Result<T> {
        if env.exception_check() {
            // A Java exception from a call we made is already on its way up: keep it.
            return Ok(T::default());
        }
        let message = error.to_string();
        let message = jni::strings::JNIString::from(message.as_str());
        let _ = match error {
            BridgeError::Null(_) => {
                env.throw_new(jni_str!("java/lang/NullPointerException"), message)
            }
            BridgeError::InvalidArgument(_) => {
                env.throw_new(jni_str!("java/lang/IllegalArgumentException"), message)
            }
            BridgeError::StaleHandle(_) => {
                env.throw_new(jni_str!("java/lang/IllegalStateException"), message)
            }
            BridgeError::Jni(_) => env.throw_new(jni_str!("java/lang/RuntimeException"), message),
        };
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        log::error!("panic in mapi native code: {text}");
        if !env.exception_check() {
            let message = format!("internal error in the mapi native library: {text}");
            let _ = env.throw_new(
                jni_str!("java/lang/RuntimeException"),
                jni::strings::JNIString::from(message.as_str()),
            );
        }
        Ok(T::default())
    }
}
