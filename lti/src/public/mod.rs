//! The public side of issued credentials, readable with no login: the credential page
//! (`/credentials/{id}`, HTML or the signed JSON by content negotiation) and its baked PNG
//! and SVG, the issuer profiles and `did.json`, the status lists, the OB 2.0 hosted documents;
//! plus the two routes that change or gather credentials for a signed-in person: revocation
//! and suspension (`/api/credentials/{id}/…`), the issuance log and the CLR export. Pure
//! rendering lives in [`negotiate`], [`caching`], [`html`], [`view`], [`page`] and [`images`];
//! the handlers around them read the store.

pub mod caching;
pub mod html;
pub mod images;
pub mod negotiate;
pub mod page;
pub mod view;
