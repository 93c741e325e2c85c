import streamlit as st

from dashboard import frame

frame.page_guard()

st.title("Hub adoption")
