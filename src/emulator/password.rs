//! GenerateRandomPassword: a password from the character classes asked for.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use serde::Deserialize;
use serde_json::json;

use super::Shared;
use super::error::ApiError;
use super::routes::parse;

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMBERS: &str = "0123456789";
const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
const DEFAULT_LENGTH: usize = 32;
const MAX_LENGTH: usize = 4096;

#[derive(Debug, Default, Deserialize)]
pub struct PasswordRequest {
    pub length: Option<i64>,
    #[serde(default)]
    pub exclude_characters: String,
    #[serde(default)]
    pub exclude_lowercase: bool,
    #[serde(default)]
    pub exclude_uppercase: bool,
    #[serde(default)]
    pub exclude_numbers: bool,
    #[serde(default)]
    pub exclude_punctuation: bool,
    #[serde(default)]
    pub include_space: bool,
    #[serde(default)]
    pub require_each_included_type: bool,
    // `password_policy_name` is accepted and ignored: the emulator has no password policies.
}

/// The password, or why none can be made from what was asked.
pub fn generate(req: &PasswordRequest) -> Result<String, ApiError> {
    let length = match req.length {
        None => DEFAULT_LENGTH,
        Some(n) => match usize::try_from(n) {
            Ok(length) if (1..=MAX_LENGTH).contains(&length) => length,
            _ => return Err(ApiError::invalid(format!("length must be 1 to {MAX_LENGTH}, got {n}"))),
        },
    };
    let classes: Vec<Vec<char>> = [
        (!req.exclude_lowercase, LOWER),
        (!req.exclude_uppercase, UPPER),
        (!req.exclude_numbers, NUMBERS),
        (!req.exclude_punctuation, PUNCTUATION),
        (req.include_space, " "),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, set)| set.chars().filter(|c| !req.exclude_characters.contains(*c)).collect::<Vec<char>>())
    .filter(|set| !set.is_empty())
    .collect();
    if classes.is_empty() {
        return Err(ApiError::invalid("every character is excluded: no password can be made"));
    }
    if req.require_each_included_type && classes.len() > length {
        return Err(ApiError::invalid(format!("{} character types do not fit in {length} characters", classes.len())));
    }
    let all: Vec<char> = classes.iter().flatten().copied().collect();
    let mut rng = rand::rng();
    let mut password: Vec<char> = (0..length).map(|_| all[rng.random_range(0..all.len())]).collect();
    if req.require_each_included_type {
        // One of each type at distinct random places, the rest as drawn.
        let mut places: Vec<usize> = (0..length).collect();
        for set in &classes {
            let place = places.swap_remove(rng.random_range(0..places.len()));
            password[place] = set[rng.random_range(0..set.len())];
        }
    }
    Ok(password.into_iter().collect())
}

pub async fn generate_password(State(_): State<Shared>, body: bytes::Bytes) -> Result<Response, ApiError> {
    let req: PasswordRequest = if body.is_empty() { PasswordRequest::default() } else { parse(&body)? };
    Ok(Json(json!({ "password": generate(&req)? })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_length_and_classes() {
        assert_eq!(generate(&PasswordRequest::default()).unwrap().chars().count(), 32);
        let req = PasswordRequest {
            length: Some(40),
            exclude_punctuation: true,
            exclude_characters: "0O1lI".into(),
            require_each_included_type: true,
            ..Default::default()
        };
        for _ in 0..50 {
            let p = generate(&req).unwrap();
            assert_eq!(p.chars().count(), 40);
            assert!(p.chars().all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c)), "{p}");
            assert!(p.chars().any(|c| c.is_ascii_lowercase()) && p.chars().any(|c| c.is_ascii_uppercase()));
            assert!(p.chars().any(|c| c.is_ascii_digit()), "{p}");
        }
        let none = PasswordRequest {
            exclude_lowercase: true,
            exclude_uppercase: true,
            exclude_numbers: true,
            exclude_punctuation: true,
            ..Default::default()
        };
        assert!(generate(&none).is_err());
        assert!(generate(&PasswordRequest { length: Some(0), ..Default::default() }).is_err());
    }
}
