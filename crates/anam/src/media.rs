//! Voices and avatars made from media: a voice cloned from a recording ([`UploadVoice`], or
//! [`CloneVoice`] from a recording already in Anam's storage) and an avatar made from a picture
//! ([`UploadAvatar`], or [`CreateAvatar`] from a picture's URL). Reads, updates and deletes are
//! the generic handles' (`client.voices()`, `client.avatars()`).

use anam_api::types::{AvatarCreate, AvatarModel, Voice, VoiceCreate, VoicePresignedUploadRequest};
use anam_api::{Operation, resources};
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::checks::{absolute_url, constrained, not_blank};
use crate::error::{Error, Result, ValidationError};
use crate::ids::AvatarId;
use crate::request::send_form;
use crate::resource::{IntoBody, Resource};
use crate::upload::{Form, OverLimit, Upload};

/// A voice to clone from a recording sent with the request (`multipart/form-data`; the spec
/// limits the recording to about 4.5 MB, checked before sending; a longer one goes through
/// [`Resource::upload_large`]). Unset fields are the server's: language `en`, enhanced.
///
/// ```
/// let voice = anam::UploadVoice::new("Support voice", anam::Upload::path("samples/me.wav")).language("en");
/// # drop(voice);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UploadVoice {
    name: String,
    recording: Upload,
    description: Option<String>,
    language: Option<String>,
    enhance: Option<bool>,
}

impl UploadVoice {
    /// A voice named `name`, cloned from `recording`.
    pub fn new(name: impl Into<String>, recording: Upload) -> Self {
        UploadVoice { name: name.into(), recording, description: None, language: None, enhance: None }
    }

    /// `description`: a description for people.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// `language`: the recording's language code.
    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.language = Some(code.into());
        self
    }

    /// `enhance`: whether Anam enhances the voice's quality.
    pub fn enhance(mut self, enhance: bool) -> Self {
        self.enhance = Some(enhance);
        self
    }

    fn form(self) -> Result<Form, ValidationError> {
        check_name(&self.name)?;
        let mut form = Form::new(Operation::CreateVoice).text("name", &self.name)?.file("audioFile", self.recording)?;
        if let Some(description) = self.description {
            form = form.text("description", description)?;
        }
        if let Some(language) = self.language {
            form = form.text("language", language)?;
        }
        if let Some(enhance) = self.enhance {
            form = form.text("enhance", enhance)?;
        }
        Ok(form)
    }

    /// The JSON body for a recording already uploaded under `audio_key`.
    fn with_key(self, audio_key: String) -> CloneVoice {
        CloneVoice {
            body: VoiceCreate {
                audio_key,
                name: self.name,
                description: self.description,
                enhance: self.enhance.unwrap_or(true),
                language: self.language.unwrap_or_else(|| "en".to_owned()),
            },
        }
    }
}

/// A voice to clone from a recording already in Anam's storage, by the `audioKey` a presigned
/// upload gave (JSON body; `client.voices().create(..)`).
///
/// ```
/// let clone = anam::CloneVoice::new("Support voice", "uploads/abc123.wav");
/// assert_eq!(clone.build().unwrap().language, "en");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CloneVoice {
    body: VoiceCreate,
}

impl CloneVoice {
    /// A voice named `name` from the recording stored under `audio_key`.
    pub fn new(name: impl Into<String>, audio_key: impl Into<String>) -> Self {
        CloneVoice {
            body: VoiceCreate {
                audio_key: audio_key.into(),
                name: name.into(),
                description: None,
                enhance: true,
                language: "en".to_owned(),
            },
        }
    }

    /// The checked wire form.
    pub fn build(self) -> Result<VoiceCreate, ValidationError> {
        check_name(&self.body.name)?;
        not_blank("audioKey", &self.body.audio_key, "the key a presigned upload gave")?;
        Ok(self.body)
    }
}

impl IntoBody<VoiceCreate> for CloneVoice {
    fn into_body(self) -> Result<VoiceCreate, ValidationError> {
        self.build()
    }
}

fn check_name(name: &str) -> Result<(), ValidationError> {
    not_blank("name", name, "a name that is not blank")
}

impl Resource<resources::Voice> {
    /// Clones a voice from a recording sent with the request (`POST /v1/voices`,
    /// `multipart/form-data`). Retried only when it never reached the server.
    pub fn upload(&self, voice: UploadVoice) -> BoxFuture<'static, Result<Voice>> {
        let (client, form) = (self.client().clone(), voice.form());
        async move { send_form(&client, Operation::CreateVoice, None, form?).await }.boxed()
    }

    /// Clones a voice from a recording too large to send inline (up to 50 MB): checks the
    /// recording (a path must be a regular file; the size must be known), asks for a presigned
    /// upload (`POST /v1/voices/presigned-upload`), sends the recording there with a plain HTTP
    /// client (the storage gets no API key), then clones it by its key (`POST /v1/voices`, JSON).
    pub fn upload_large(&self, voice: UploadVoice) -> BoxFuture<'static, Result<Voice>> {
        let voices = self.clone();
        async move {
            check_name(&voice.name)?;
            let recording = voice.recording.clone();
            let size = recording.check(FILE_SIZE, None).await?;
            let size = size.ok_or_else(|| ValidationError::new(FILE_SIZE, "unknown", "a recording of known size"))?;
            let request = VoicePresignedUploadRequest {
                content_type: recording.content_type(),
                file_size: i64::try_from(size).unwrap_or(i64::MAX),
                filename: recording.file_name().to_owned(),
            };
            if !request.content_type.starts_with("audio/") {
                let expected = "an audio/… type (Anam requires it)";
                return Err(ValidationError::new("contentType", &request.content_type, expected).into());
            }
            let client = voices.client();
            let target = client.send(client.api().create_voice_presigned_upload().body(request)).await?;
            put_to_storage(target.upload_url.expose_secret(), &recording, size).await?;
            voices.create(voice.with_key(target.audio_key)).await
        }
        .boxed()
    }
}

/// The field of the presigned upload's request that holds the recording's size.
const FILE_SIZE: &str = "fileSize";

/// Sends `recording`, of `size` bytes as the presigned upload was told, to a presigned storage
/// URL with `PUT`, its content type and its `Content-Length` (storage services refuse a body
/// of unknown length), through a client of its own: no API key, no redirect followed. A body
/// that gives more than `size` bytes is cut off there. The URL is never shown in an error.
async fn put_to_storage(url: &str, recording: &Upload, size: u64) -> Result<()> {
    let failed = |why: String| Error::InvalidRequest(format!("the upload to Anam's storage failed: {why}"));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(crate::DEFAULT_CONNECT_TIMEOUT)
        .build()
        .map_err(|e| failed(e.without_url().to_string()))?;
    let opened = recording.open(FILE_SIZE, Some(size)).await?;
    let response = http
        .put(url)
        .header(reqwest::header::CONTENT_TYPE, recording.content_type())
        .header(reqwest::header::CONTENT_LENGTH, size)
        .body(opened.body)
        .send()
        .await
        .map_err(|e| match OverLimit::find(&e) {
            Some(over) => Error::Validation(over.to_validation()),
            None => failed(e.without_url().to_string()),
        })?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(failed(format!("the storage answered {}", response.status())))
    }
}

/// An avatar to make from a picture's URL (JSON body; `client.avatars().create(..)`). Anam
/// downloads the picture (JPEG, PNG or WebP, at most 4.5 MB) and keeps it.
///
/// ```
/// let alex = anam::CreateAvatar::new("Alex", "https://example.com/alex.jpg").avatar_model("cara-4");
/// assert_eq!(alex.build().unwrap().image_url, "https://example.com/alex.jpg");
/// assert_eq!(anam::CreateAvatar::new("Alex", "alex.jpg").build().unwrap_err().field, "imageUrl");
/// // A credential in the URL is refused, and the error does not show it.
/// let err = anam::CreateAvatar::new("Alex", "https://me:hunter2@example.com/a.jpg").build().unwrap_err();
/// assert!(!err.to_string().contains("hunter2"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAvatar {
    display_name: String,
    image_url: String,
    model: Option<AvatarModel>,
}

impl CreateAvatar {
    /// An avatar named `display_name` made from the picture at `image_url`.
    pub fn new(display_name: impl Into<String>, image_url: impl Into<String>) -> Self {
        CreateAvatar { display_name: display_name.into(), image_url: image_url.into(), model: None }
    }

    /// `avatarModel`: the model to make it for (the server's default when unset).
    pub fn avatar_model(mut self, model: impl Into<AvatarModel>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// The checked wire form: the display name's length is the spec's, the URL absolute http(s)
    /// without a user name or password.
    pub fn build(self) -> Result<AvatarCreate, ValidationError> {
        let display_name = constrained("displayName", self.display_name)?;
        absolute_url("imageUrl", &self.image_url, &["https", "http"])?;
        Ok(AvatarCreate { display_name, image_url: self.image_url, avatar_model: self.model })
    }
}

impl IntoBody<AvatarCreate> for CreateAvatar {
    fn into_body(self) -> Result<AvatarCreate, ValidationError> {
        self.build()
    }
}

/// An avatar to make from a picture sent with the request (`multipart/form-data`: JPEG, PNG
/// or WebP of at most 4.5 MB, checked before sending; the display name 3 to 50 characters, as
/// the spec says for this form).
///
/// ```
/// let avatar = anam::UploadAvatar::new("Alex", anam::Upload::path("alex.png"));
/// # drop(avatar);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UploadAvatar {
    display_name: String,
    picture: Upload,
    model: Option<AvatarModel>,
}

impl UploadAvatar {
    /// An avatar named `display_name` made from `picture`.
    pub fn new(display_name: impl Into<String>, picture: Upload) -> Self {
        UploadAvatar { display_name: display_name.into(), picture, model: None }
    }

    /// `avatarModel`: the model to make it for (the server's default when unset).
    pub fn avatar_model(mut self, model: impl Into<AvatarModel>) -> Self {
        self.model = Some(model.into());
        self
    }

    fn form(self) -> Result<Form, ValidationError> {
        let mut form = Form::new(Operation::CreateAvatar)
            .text("displayName", &self.display_name)?
            .file("imageFile", self.picture)?;
        if let Some(model) = self.model {
            form = form.text("avatarModel", model)?;
        }
        Ok(form)
    }
}

impl Resource<resources::Avatar> {
    /// Makes a one-shot avatar from a picture sent with the request (`POST /v1/avatars`,
    /// `multipart/form-data`). Anam may refuse the picture (422: it could not be processed, or
    /// moderation rejected it). Retried only when it never reached the server.
    pub fn upload(&self, avatar: UploadAvatar) -> BoxFuture<'static, Result<anam_api::types::Avatar>> {
        let (client, form) = (self.client().clone(), avatar.form());
        async move { send_form(&client, Operation::CreateAvatar, None, form?).await }.boxed()
    }

    /// Deletes an avatar for good (`DELETE /v1/avatars/{id}?hard=true`): its picture and
    /// generated versions are purged, with avatars soft-deleted earlier; this cannot be undone.
    /// [`Resource::delete`] only hides it.
    pub fn delete_permanently(&self, id: impl Into<AvatarId>) -> BoxFuture<'static, Result<()>> {
        let (client, id) = (self.client().clone(), id.into());
        async move { client.send(client.api().delete_avatar().id(id).hard(true)).await.map(drop) }.boxed()
    }
}
