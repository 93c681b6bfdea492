//! `setters!`: the `with_*` methods of the configuration structs of the native shells.
//!
//! The configuration structs are `#[non_exhaustive]`, so that a new field is not a breaking
//! change; users outside the crate build them from `Default` (or a constructor) and these
//! setters, or by assigning fields.

/// Writes, for each `field: Type`, a method `with_field(self, value: Type) -> Self` that sets
/// it, documented as setting that field.
macro_rules! setters {
    ($ty:ty { $($(#[$attr:meta])* $setter:ident => $field:ident : $value:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                $(#[$attr])*
                #[must_use]
                pub fn $setter(mut self, value: $value) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}

pub(crate) use setters;
